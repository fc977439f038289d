package io.jsyd.runtime.policy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed policy as it travels to another process (the supervisor daemon): its
 * canonical text ({@link Policy#render()}) and the origin of each rule and of the
 * lock, in the order the text lists them. The receiver rebuilds the same policy,
 * decision log origins included, without reading any file or annotation again: the
 * bundle and the profiles may have changed since the container was created.
 */
public final class PolicyWire {
    /** What is sent. */
    public record Encoded(String text, List<Origin> ruleOrigins, Optional<Origin> lockedAt) {
        public Encoded {
            ruleOrigins = List.copyOf(ruleOrigins);
        }
    }

    /** The source name of the rendered text while it is parsed back (no error should ever name it). */
    static final String SOURCE = "policy hand-off";

    private PolicyWire() {
    }

    public static Encoded encode(Policy policy) {
        List<Origin> origins = new ArrayList<>();
        for (Category c : Category.values()) {
            for (Rule r : policy.rules(c)) {
                origins.add(r.origin());
            }
        }
        return new Encoded(policy.render(), origins, policy.lockedAt());
    }

    /** The policy {@link #encode} was given; a text that does not fit its origins is refused. */
    public static Policy decode(Encoded wire) throws PolicyException {
        Policy parsed = PolicyParser.parse(SOURCE, wire.text());
        Map<Category, List<Rule>> rules = new EnumMap<>(Category.class);
        int next = 0;
        for (Category c : Category.values()) {
            List<Rule> list = new ArrayList<>();
            for (Rule r : parsed.rules(c)) {
                if (next >= wire.ruleOrigins().size()) {
                    throw mismatch(wire);
                }
                list.add(new Rule(r.action(), r.category(), r.pattern(), wire.ruleOrigins().get(next++)));
            }
            rules.put(c, list);
        }
        if (next != wire.ruleOrigins().size() || parsed.isLocked() != wire.lockedAt().isPresent()) {
            throw mismatch(wire);
        }
        // everything but the rules' origins comes from the text: Landlock and the ptrace checks too
        return new Policy(parsed.sandboxed(), parsed.defaults(), rules, parsed.timeout(), parsed.limits(),
                wire.lockedAt(), parsed.landlock(), parsed.trace());
    }

    private static PolicyException mismatch(Encoded wire) {
        return new PolicyException(List.of(new PolicyProblem(new Origin(SOURCE, 1),
                "the policy text has not the " + wire.ruleOrigins().size() + " rules its origins name")));
    }
}
