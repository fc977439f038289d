package io.jsyd.runtime.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Landlock lines of policy text, kept out of {@link PolicyParser} so that each
 * layer's syntax lives with its records:
 * <pre>
 * sandbox/lock:on                   Landlock on (:off again)
 * default/lock:kill                 strict: refuse to start unless all of it applies (the default)
 * default/lock:warn                 best effort: apply what the kernel can, log the rest
 * lock/scope:signal,abstract        what is scoped to the container (both by default; none for nothing)
 * allow/lock/read,readdir+/usr      rights beneath a path (no globs: Landlock grants the whole tree)
 * allow/lock/bind+8080              TCP ports for bind(2); a range 8000-8080 or a list 80,443
 * allow/lock/connect+80             TCP ports for connect(2)
 * allow/lock/bind+/run/app.sock     where a UNIX socket file may be made
 * allow/lock/read-/usr              remove the latest equal rule; ^ removes every one
 * </pre>
 */
final class LockRulesParser {
    private boolean on;
    private LockMode mode = LockMode.STRICT;
    private Set<LockScope> scopes = EnumSet.copyOf(LockPolicy.DEFAULT_SCOPES);
    private final List<LockRule> rules = new ArrayList<>();

    /** Whether the line is a Landlock line (then {@link #command} takes it). */
    static boolean accepts(String line) {
        if (line.startsWith("sandbox/") || line.startsWith("default/")) {
            int colon = line.lastIndexOf(':');
            String cats = line.substring(line.indexOf('/') + 1, colon < 0 ? line.length() : colon);
            return List.of(cats.split(",", -1)).contains("lock");
        }
        if (line.startsWith("lock/")) {
            return true;
        }
        int slash = line.indexOf('/');
        return slash > 0 && line.startsWith("lock/", slash + 1) && Action.ofSpelling(line.substring(0, slash)).isPresent();
    }

    void command(Origin origin, String line) {
        if (line.startsWith("sandbox/") || line.startsWith("default/")) {
            setting(line);
        } else if (line.startsWith("lock/scope:")) {
            scope(line.substring("lock/scope:".length()));
        } else if (line.startsWith("lock/")) {
            throw new IllegalArgumentException("unknown Landlock setting '" + GlobSyntax.shorten(line)
                    + "': expected lock/scope:");
        } else {
            int slash = line.indexOf('/');
            String action = line.substring(0, slash);
            if (!action.equals(Action.ALLOW.spelling())) {
                throw new IllegalArgumentException("Landlock can only grant: expected allow/lock/..., got "
                        + action + "/lock/ (default/lock: says what happens to what cannot be applied)");
            }
            rule(origin, line.substring(slash + "/lock/".length()));
        }
    }

    LockPolicy build() {
        return new LockPolicy(on, mode, scopes, rules);
    }

    private void setting(String line) {
        int colon = line.lastIndexOf(':');
        String head = line.substring(0, line.indexOf('/'));
        if (colon < 0 || !line.substring(head.length() + 1, colon).equals("lock")) {
            throw new IllegalArgumentException("lock stands alone: expected " + head + "/lock:VALUE");
        }
        String value = line.substring(colon + 1);
        if (head.equals("sandbox")) {
            switch (value) {
                case "on" -> on = true;
                case "off" -> on = false;
                default -> throw new IllegalArgumentException("expected on or off after sandbox/lock:, got '"
                        + GlobSyntax.shorten(value) + "'");
            }
            return;
        }
        for (LockMode m : LockMode.values()) {
            if (m.spelling().equals(value)) {
                mode = m;
                return;
            }
        }
        throw new IllegalArgumentException("expected default/lock:kill (strict: refuse to start when the kernel"
                + " cannot apply all of it) or default/lock:warn (best effort: apply what it can, log the rest), got '"
                + GlobSyntax.shorten(value) + "'");
    }

    private void scope(String value) {
        EnumSet<LockScope> result = EnumSet.noneOf(LockScope.class);
        if (!value.equals("none")) {
            for (String word : value.split(",", -1)) {
                result.add(java.util.Arrays.stream(LockScope.values()).filter(s -> s.spelling().equals(word))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown scope '"
                                + GlobSyntax.shorten(word) + "': expected signal, abstract or none")));
            }
        }
        scopes = result;
    }

    private void rule(Origin origin, String rest) {
        int op = 0;
        while (op < rest.length() && ((rest.charAt(op) >= 'a' && rest.charAt(op) <= 'z') || rest.charAt(op) == ',')) {
            op++;
        }
        if (op == rest.length() || "+-^".indexOf(rest.charAt(op)) < 0) {
            throw new IllegalArgumentException("expected '+' (add), '-' (remove) or '^' (remove all) and a path or"
                    + " ports after allow/lock/" + GlobSyntax.shorten(rest.substring(0, op)));
        }
        EnumSet<LockRight> rights = EnumSet.noneOf(LockRight.class);
        for (String word : rest.substring(0, op).split(",", -1)) {
            rights.addAll(LockRight.ofGroupSpelling(word).orElseThrow(() -> new IllegalArgumentException(
                    "unknown Landlock right '" + GlobSyntax.shorten(word) + "': expected "
                            + String.join(", ", LockRight.spellings()) + " or all")));
        }
        char operation = rest.charAt(op);
        String text = rest.substring(op + 1);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected a path or ports after '" + operation + "'");
        }
        List<LockTarget> targets = targets(text);
        for (LockRight right : rights) {
            for (LockTarget target : targets) {
                if (target instanceof LockTarget.Ports && !right.takesPorts()) {
                    throw new IllegalArgumentException("lock/" + right.spelling() + " takes a path, got '"
                            + GlobSyntax.shorten(text) + "'");
                }
                if (target instanceof LockTarget.Beneath && !right.takesPaths()) {
                    throw new IllegalArgumentException("lock/" + right.spelling() + " takes TCP ports (80, 8000-8080,"
                            + " 80,443), got '" + GlobSyntax.shorten(text) + "'");
                }
                switch (operation) {
                    case '+' -> rules.add(new LockRule(right, target, origin));
                    case '-' -> {
                        for (int i = rules.size() - 1; i >= 0; i--) {
                            if (rules.get(i).sameAs(right, target)) {
                                rules.remove(i);
                                break;
                            }
                        }
                    }
                    default -> rules.removeIf(r -> r.sameAs(right, target));
                }
            }
        }
    }

    private static List<LockTarget> targets(String text) {
        if (text.charAt(0) == '/') {
            return List.of(new LockTarget.Beneath(text));
        }
        List<LockTarget> result = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            int dash = item.indexOf('-');
            int first = port(dash < 0 ? item : item.substring(0, dash), text);
            int last = dash < 0 ? first : port(item.substring(dash + 1), text);
            if (first > last) {
                throw new IllegalArgumentException("a port range goes up: " + item);
            }
            result.add(new LockTarget.Ports(new PortRange(first, last)));
        }
        return result;
    }

    private static int port(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(digits) > 65535) {
            throw new IllegalArgumentException("expected an absolute path or TCP ports (0-65535: 80, 8000-8080,"
                    + " 80,443), got '" + GlobSyntax.shorten(text) + "'");
        }
        return Integer.parseInt(digits);
    }
}
