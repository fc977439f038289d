package io.jsyd.oci.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hooks tests' probe: a shell script that each hook runs with its kind and a
 * log file, appending a block "== KIND" and then KEY=VALUE lines of what it saw.
 */
final class HookLog {
    private HookLog() {
    }

    /** Adds to {@code hooks} an entry of {@code kind} that runs {@code script} logging to {@code log}. */
    static ObjectNode hook(ObjectNode hooks, String kind, Path script, Path log, String... extraArgs) {
        ArrayNode list = hooks.has(kind) ? (ArrayNode) hooks.get(kind) : hooks.putArray(kind);
        ObjectNode h = list.addObject().put("path", "/bin/sh");
        // busybox, which startContainer runs, picks its applet by argv[0]
        ArrayNode args = h.putArray("args").add("sh").add(script.toString()).add(kind).add(log.toString());
        for (String a : extraArgs) {
            args.add(a);
        }
        h.putArray("env").add("PATH=/usr/sbin:/usr/bin:/sbin:/bin").add("HOOK_KIND=" + kind);
        return h;
    }

    /** The log split into one map per hook run, in the order they ran; empty when no hook ran. */
    static List<Map<String, String>> entries(Path log) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        Map<String, String> cur = null;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("== ")) {
                cur = new LinkedHashMap<>();
                cur.put("kind", line.substring(3));
                out.add(cur);
            } else if (cur != null && line.contains("=")) {
                cur.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return out;
    }

    /** The kinds of hook that ran, in order. */
    static List<String> kinds(Path log) throws IOException {
        return entries(log).stream().map(m -> m.get("kind")).toList();
    }
}
