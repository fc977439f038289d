package io.jsyd.runtime.policy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled {@link Policy}: answers "what happens to this access" for the
 * supervisor's worker threads. Immutable and shared; the answers are {@link
 * Decision}s made when the policy was compiled, so asking allocates nothing
 * (except to encode a String path).
 *
 * <p>A category that is off allows everything. In one that is on, the last rule
 * whose pattern matches decides (as in Syd); without one, the category's default.
 * Paths must be absolute and resolved: {@code .}, repeated and trailing slashes
 * are tidied, {@code ..} and relative paths are refused with
 * IllegalArgumentException (the supervisor resolves paths before it asks).
 */
public final class PolicyMatcher {
    /**
     * States a category's automaton may have before matching falls back to the
     * (slower, still correct) NFA walk; with the byte classes a policy's globs
     * use, this is a few megabytes at most.
     */
    static final int MAX_DFA_STATES = 20_000;

    private record Compiled(boolean on, Decision fallback, Decision[] byRule, PathMatcher globs, NetTable addresses) {
    }

    private final Policy policy;
    private final Compiled[] categories;

    private PolicyMatcher(Policy policy, Compiled[] categories) {
        this.policy = policy;
        this.categories = categories;
    }

    static PolicyMatcher of(Policy policy) {
        return of(policy, MAX_DFA_STATES);
    }

    static PolicyMatcher of(Policy policy, int maxStates) {
        Category[] all = Category.values();
        Compiled[] compiled = new Compiled[all.length];
        for (Category c : all) {
            List<Rule> rules = policy.rules(c);
            Decision[] byRule = new Decision[rules.size()];
            List<PathGlob> globs = new ArrayList<>();
            List<Integer> globRules = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                byRule[i] = Decision.of(rules.get(i));
                if (rules.get(i).pattern() instanceof PathGlob g) {
                    globs.add(g);
                    globRules.add(i);
                }
            }
            boolean on = policy.isSandboxed(c);
            Decision fallback = Decision.byDefault(c, on ? policy.defaultAction(c) : Action.ALLOW);
            compiled[c.ordinal()] = new Compiled(on, fallback, byRule,
                    PathMatcher.compile(globs, globRules.stream().mapToInt(Integer::intValue).toArray(), maxStates),
                    new NetTable(rules));
        }
        return new PolicyMatcher(policy, compiled);
    }

    public Policy policy() {
        return policy;
    }

    /** The decision for a path in a path category (read, write, exec, stat, create). */
    public Decision decidePath(Category category, byte[] path) {
        requireKind(category, Category.Kind.PATH);
        Compiled c = categories[category.ordinal()];
        if (!c.on) {
            return c.fallback;
        }
        byte[] resolved = ResolvedPaths.check(path);
        return pick(c, c.globs.match(resolved, 0, resolved.length));
    }

    public Decision decidePath(Category category, String path) {
        return decidePath(category, path.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The decision for a UNIX socket in a network category: its path, or its
     * abstract name written as {@code @name}.
     */
    public Decision decideSocket(Category category, byte[] name) {
        requireKind(category, Category.Kind.NET);
        Compiled c = categories[category.ordinal()];
        if (!c.on) {
            return c.fallback;
        }
        byte[] checked = name.length > 0 && name[0] == '@' ? name : ResolvedPaths.check(name);
        return pick(c, c.globs.match(checked, 0, checked.length));
    }

    /**
     * The decision for a UNIX socket without a name (a socketpair's, an unbound
     * one's): no rule names it, so the category's default.
     */
    public Decision decideUnnamedSocket(Category category) {
        requireKind(category, Category.Kind.NET);
        return categories[category.ordinal()].fallback;
    }

    public Decision decideSocket(Category category, String name) {
        return decideSocket(category, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The decision for an IP address (4 or 16 bytes) and port in net/bind or net/connect. */
    public Decision decideAddress(Category category, byte[] address, int port) {
        if (!category.takesAddresses()) {
            throw new IllegalArgumentException(category.spelling() + " does not decide IP addresses");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("a port is 0-65535, not " + port);
        }
        Compiled c = categories[category.ordinal()];
        if (!c.on) {
            return c.fallback;
        }
        return pick(c, c.addresses.match(address, port));
    }

    public Decision decideAddress(Category category, InetAddress address, int port) {
        return decideAddress(category, address.getAddress(), port);
    }

    private static Decision pick(Compiled c, int rule) {
        return rule < 0 ? c.fallback : c.byRule[rule];
    }

    private static void requireKind(Category category, Category.Kind kind) {
        if (category.kind() != kind) {
            throw new IllegalArgumentException(category.spelling() + " is not a "
                    + kind.name().toLowerCase(java.util.Locale.ROOT) + " category");
        }
    }
}
