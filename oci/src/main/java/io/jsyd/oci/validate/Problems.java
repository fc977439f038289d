package io.jsyd.oci.validate;

import io.jsyd.oci.spec.SpecProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one validation run, each against the config file. */
final class Problems {
    private final Path file;
    private final List<SpecProblem> errors = new ArrayList<>();
    private final List<SpecProblem> warnings = new ArrayList<>();

    Problems(Path file) {
        this.file = file;
    }

    void error(String jsonPath, String message) {
        errors.add(new SpecProblem(file, jsonPath, message));
    }

    void warning(String jsonPath, String message) {
        warnings.add(new SpecProblem(file, jsonPath, message));
    }

    ValidationReport report() {
        return new ValidationReport(errors, warnings);
    }
}
