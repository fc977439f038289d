package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Hook;
import io.jsyd.oci.spec.model.Hooks;
import java.util.List;

/** hooks: the spec requires an absolute path for every hook (config.md "POSIX-platform Hooks"). */
final class HookChecks {
    private HookChecks() {
    }

    static void hooks(Context c, Problems out) {
        Hooks hooks = c.spec().getHooks();
        if (hooks == null) {
            return;
        }
        kind("prestart", hooks.getPrestart(), out);
        kind("createRuntime", hooks.getCreateRuntime(), out);
        kind("createContainer", hooks.getCreateContainer(), out);
        kind("startContainer", hooks.getStartContainer(), out);
        kind("poststart", hooks.getPoststart(), out);
        kind("poststop", hooks.getPoststop(), out);
    }

    private static void kind(String name, List<Hook> hooks, Problems out) {
        List<Hook> all = Json.list(hooks);
        for (int i = 0; i < all.size(); i++) {
            Hook hook = all.get(i);
            String at = Json.index("$.hooks." + name, i);
            if (hook.getPath() != null && !hook.getPath().startsWith("/")) {
                out.error(at + ".path", Json.quote(hook.getPath())
                        + " is not an absolute path; hook paths must be absolute");
            }
            ProcessChecks.environment(at + ".env", hook.getEnv(), out);
        }
    }
}
