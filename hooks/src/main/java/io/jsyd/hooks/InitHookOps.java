package io.jsyd.hooks;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hooks the init runs itself (RUN_HOOK ops): the plan is sealed before the init
 * exists, so the state goes down as the text before and after the pid, and the
 * init puts its host pid between them.
 */
final class InitHookOps {
    /** A pid no process has (above pid_max's limit of 2^22), rendered and then cut out. */
    static final int PID_MARK = Integer.MAX_VALUE;

    private InitHookOps() {
    }

    /** @param dir the hooks' working directory as the init sees it; empty: the init's own */
    static List<PlanOp> ops(HookKind kind, List<Hook> hooks, byte[] template, String dir) {
        if (hooks.isEmpty()) {
            return List.of();
        }
        String json = new String(template, StandardCharsets.UTF_8);
        // id and status come before the pid in the document and cannot hold a quote
        String field = "\"pid\":" + PID_MARK;
        int at = json.indexOf(field);
        if (at < 0) {
            throw new IllegalArgumentException("the state has no pid field where the init's pid goes: " + json);
        }
        String before = json.substring(0, at + "\"pid\":".length());
        String after = json.substring(at + field.length());
        List<PlanOp> ops = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            List<String> strs = new ArrayList<>(List.of(h.path(), dir, before, after));
            strs.addAll(h.argv());
            strs.addAll(h.env());
            long timeout = h.timeout() == null ? 0 : Math.max(1, h.timeout().toMillis());
            ops.add(PlanOp.of(OpCode.RUN_HOOK, kind.specName() + " hook #" + i + " (" + h.path() + ")",
                    new long[] {timeout, h.argv().size()}, strs.toArray(String[]::new)));
        }
        return List.copyOf(ops);
    }
}
