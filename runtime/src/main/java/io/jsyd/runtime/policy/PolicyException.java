package io.jsyd.runtime.policy;

import java.util.List;

/**
 * Policy text that cannot be used, with every problem found (not just the first),
 * so one run of {@code policy check} shows them all. Checked: policy text comes from
 * users, and every caller has to say what it does with a bad one.
 */
public final class PolicyException extends Exception {
    private final List<PolicyProblem> problems;

    public PolicyException(List<PolicyProblem> problems) {
        super(summary(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a policy error needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    /** One line per problem, in the order they were found. */
    public List<String> lines() {
        return problems.stream().map(PolicyProblem::format).toList();
    }

    private static String summary(List<PolicyProblem> problems) {
        return problems.isEmpty() ? "invalid policy" : problems.getFirst().format()
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }
}
