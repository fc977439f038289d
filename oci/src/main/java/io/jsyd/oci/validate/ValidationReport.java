package io.jsyd.oci.validate;

import io.jsyd.oci.spec.SpecProblem;
import java.util.List;

/**
 * What the semantic checks found. Errors mean the config cannot work as written;
 * warnings mean it works, but not quite as its author may expect (something is
 * ignored, deprecated or reinterpreted). Both lists keep the order of the checks,
 * which follows the order of the fields in config.json.
 */
public record ValidationReport(List<SpecProblem> errors, List<SpecProblem> warnings) {
    public ValidationReport {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
