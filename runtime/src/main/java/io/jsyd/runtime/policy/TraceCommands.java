package io.jsyd.runtime.policy;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy lines of the ptrace layer, in Syd's spelling, kept apart from
 * {@link PolicyParser} (which hands every line to {@link #accepts} first):
 * <pre>
 * sandbox/mem,pid,tpe,force:on        turn checks on (or :off)
 * default/force:kill                  the action of a check (allow, warn, filter, deny, stop, kill, exit)
 * force+/usr/bin/app:SHA256HEX[:ACTION]  exec of this path needs this hash ('-' / '^' remove)
 * tpe/user_owned:1                    TPE also trusts directories of the executing user
 * trace/allow_unsafe_memory:0         W^X on (1, the default here, leaves it off)
 * trace/allow_unsafe_stack:0          executable stacks refused
 * </pre>
 * A non-zero {@code mem/max} or {@code mem/vm_max} turns {@code mem} on and a
 * non-zero {@code pid/max} turns {@code pid} on unless a {@code sandbox/} line
 * said otherwise: a limit written down is a limit enforced.
 */
final class TraceCommands {
    private final EnumMap<TraceCategory, Boolean> switched = new EnumMap<>(TraceCategory.class);
    private final EnumMap<TraceCategory, Action> defaults = new EnumMap<>(TraceCategory.class);
    private final Map<String, ForceRule> force = new LinkedHashMap<>();
    private boolean tpeUserOwned;

    /** Whether the line is one of these commands (a sandbox/ or default/ line naming only trace checks). */
    boolean accepts(String line) {
        if (line.startsWith("force+") || line.startsWith("force-") || line.startsWith("force^")
                || line.startsWith("tpe/") || line.startsWith("trace/")) {
            return true;
        }
        for (String prefix : List.of("sandbox/", "default/")) {
            if (line.startsWith(prefix)) {
                int colon = line.lastIndexOf(':');
                String list = line.substring(prefix.length(), colon < 0 ? line.length() : colon);
                boolean all = true;
                for (String word : list.split(",", -1)) {
                    all &= TraceCategory.ofSpelling(word).isPresent();
                }
                return all;
            }
        }
        return false;
    }

    void command(Origin origin, String line) {
        if (line.startsWith("sandbox/")) {
            String rest = line.substring("sandbox/".length());
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected sandbox/CHECK[,CHECK...]:on or :off");
            }
            boolean on = switch (rest.substring(colon + 1)) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException("expected on or off after sandbox/"
                        + rest.substring(0, colon) + ":, got '" + GlobSyntax.shorten(rest.substring(colon + 1)) + "'");
            };
            for (String word : rest.substring(0, colon).split(",", -1)) {
                switched.put(TraceCategory.ofSpelling(word).orElseThrow(), on);
            }
        } else if (line.startsWith("default/")) {
            String rest = line.substring("default/".length());
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected default/CHECK:ACTION");
            }
            Action action = action(rest.substring(colon + 1), "default/" + rest.substring(0, colon) + ":");
            for (String word : rest.substring(0, colon).split(",", -1)) {
                defaults.put(TraceCategory.ofSpelling(word).orElseThrow(), action);
            }
        } else if (line.startsWith("force")) {
            force(origin, line.charAt("force".length()), line.substring("force".length() + 1));
        } else if (line.startsWith("tpe/user_owned:")) {
            tpeUserOwned = flag(line, line.substring("tpe/user_owned:".length()));
        } else if (line.startsWith("trace/allow_unsafe_memory:")) {
            switched.put(TraceCategory.MEMORY, !flag(line, line.substring("trace/allow_unsafe_memory:".length())));
        } else if (line.startsWith("trace/allow_unsafe_stack:")) {
            switched.put(TraceCategory.STACK, !flag(line, line.substring("trace/allow_unsafe_stack:".length())));
        } else {
            throw new IllegalArgumentException("unknown command '" + GlobSyntax.shorten(line)
                    + "': expected tpe/user_owned:, trace/allow_unsafe_memory: or trace/allow_unsafe_stack:");
        }
    }

    private void force(Origin origin, char operation, String rest) {
        if (operation == '^') {
            if (!rest.isEmpty()) {
                throw new IllegalArgumentException("force^ takes nothing after it (it clears the force list)");
            }
            force.clear();
            return;
        }
        if (operation == '-') {
            if (force.remove(rest) == null && !rest.startsWith("/")) {
                throw new IllegalArgumentException("expected an absolute path after force-");
            }
            return;
        }
        // the path may hold ':' itself: the hash and the action are the last fields
        String[] parts = rest.split(":", -1);
        Optional<Action> action = Optional.empty();
        int hashAt = parts.length - 1;
        if (parts.length >= 3 && Action.ofSpelling(parts[parts.length - 1]).isPresent()) {
            action = Action.ofSpelling(parts[parts.length - 1]);
            hashAt--;
        }
        if (hashAt < 1) {
            throw new IllegalArgumentException("expected force+PATH:SHA256HEX[:ACTION], got 'force+"
                    + GlobSyntax.shorten(rest) + "'");
        }
        String path = String.join(":", java.util.Arrays.copyOfRange(parts, 0, hashAt));
        ForceRule rule = new ForceRule(path, parts[hashAt], action, origin);
        force.put(path, rule);
    }

    private static boolean flag(String line, String value) {
        return switch (value) {
            case "1", "true", "on" -> true;
            case "0", "false", "off" -> false;
            default -> throw new IllegalArgumentException("expected 1 or 0 in '" + GlobSyntax.shorten(line) + "'");
        };
    }

    private static Action action(String word, String after) {
        return Action.ofSpelling(word).orElseThrow(() -> new IllegalArgumentException(
                "expected an action after " + after + " got '" + GlobSyntax.shorten(word) + "'"));
    }

    TracePolicy build(ResourceLimits limits) {
        var on = java.util.EnumSet.noneOf(TraceCategory.class);
        switched.forEach((c, v) -> {
            if (v) {
                on.add(c);
            }
        });
        if ((limits.memMax().isPresent() || limits.vmMax().isPresent()) && !switched.containsKey(TraceCategory.MEM)) {
            on.add(TraceCategory.MEM);
        }
        if (limits.pidMax().isPresent() && !switched.containsKey(TraceCategory.PID)) {
            on.add(TraceCategory.PID);
        }
        return new TracePolicy(on, defaults, force, tpeUserOwned);
    }
}
