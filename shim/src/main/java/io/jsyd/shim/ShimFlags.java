package io.jsyd.shim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line containerd gives a shim, parsed as Go's flag package does
 * (-name value, -name=value, --name value; booleans alone), then the action:
 * "start", "delete", or none to serve.
 */
public record ShimFlags(String namespace, String id, String address, String publishBinary, String socket,
                        String bundle, boolean debug, boolean version, String action) {
    private static final Set<String> STRINGS = Set.of("namespace", "id", "address", "publish-binary", "socket",
            "bundle");
    private static final Set<String> BOOLEANS = Set.of("debug", "v");

    public static ShimFlags parse(List<String> args) throws ShimException {
        Map<String, String> values = new HashMap<>();
        List<String> rest = new ArrayList<>();
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("--")) {
                rest.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                // Go's flag package stops at the first non-flag
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (BOOLEANS.contains(name)) {
                values.put(name, value == null ? "true" : value);
            } else if (STRINGS.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new ShimException("flag needs an argument: -" + name);
                    }
                    value = args.get(++i);
                }
                values.put(name, value);
            } else {
                throw new ShimException("flag provided but not defined: -" + name);
            }
            i++;
        }
        if (rest.size() > 1) {
            throw new ShimException("one action at most (start or delete), got: " + String.join(" ", rest));
        }
        return new ShimFlags(values.getOrDefault("namespace", ""), values.getOrDefault("id", ""),
                values.getOrDefault("address", ""), values.getOrDefault("publish-binary", "containerd"),
                values.getOrDefault("socket", ""), values.getOrDefault("bundle", ""),
                isTrue(values.get("debug")), isTrue(values.get("v")), rest.isEmpty() ? "" : rest.getFirst());
    }

    private static boolean isTrue(String v) throws ShimException {
        if (v == null || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        throw new ShimException("invalid boolean value " + v);
    }
}
