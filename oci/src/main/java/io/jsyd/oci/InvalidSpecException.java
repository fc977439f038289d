package io.jsyd.oci;

import io.jsyd.oci.spec.SpecProblem;
import java.util.List;

/** A config.json (or process.json) that cannot be used, with every problem found. */
public final class InvalidSpecException extends OciException {
    private final List<SpecProblem> problems;

    public InvalidSpecException(List<SpecProblem> problems) {
        super(summary(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid spec needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<SpecProblem> problems() {
        return problems;
    }

    @Override
    public List<String> lines() {
        return problems.stream().map(SpecProblem::format).toList();
    }

    private static String summary(List<SpecProblem> problems) {
        return problems.isEmpty() ? "invalid spec" : problems.getFirst().format()
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }
}
