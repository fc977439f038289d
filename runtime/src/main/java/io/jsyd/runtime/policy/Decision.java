package io.jsyd.runtime.policy;

import java.util.Optional;

/**
 * The outcome of one check: the action and, when a rule decided rather than the
 * category's default, that rule (with its origin, for the log line). The matcher
 * makes one per rule and per default up front, so deciding allocates nothing.
 */
public record Decision(Category category, Action action, Optional<Rule> rule) {
    static Decision of(Rule rule) {
        return new Decision(rule.category(), rule.action(), Optional.of(rule));
    }

    static Decision byDefault(Category category, Action action) {
        return new Decision(category, action, Optional.empty());
    }
}
