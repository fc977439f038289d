package io.jsyd.oci;

import io.jsyd.runtime.policy.PolicyProblem;
import java.util.List;

/**
 * A sandbox policy (from a profile, {@code --policy FILE} or the config's
 * annotations) that cannot be used, with every problem found, each naming its
 * file or annotation and line.
 */
public final class InvalidPolicyException extends OciException {
    private final List<PolicyProblem> problems;

    public InvalidPolicyException(List<PolicyProblem> problems) {
        super(summary(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid policy needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    @Override
    public List<String> lines() {
        return problems.stream().map(PolicyProblem::format).toList();
    }

    private static String summary(List<PolicyProblem> problems) {
        return problems.isEmpty() ? "invalid policy" : problems.getFirst().format()
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }
}
