package io.jsyd.oci.cli.command;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.validate.SpecValidator;
import io.jsyd.oci.validate.ValidationReport;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Ours, not runc's: validate a bundle without creating anything. */
@Command(name = "check", description = "validate a bundle's config.json and print every problem found")
public final class CheckCommand implements Verb {
    @Option(names = {"-b", "--bundle"}, paramLabel = "<dir>",
            description = "bundle directory (holds config.json); default: the working directory")
    String bundle;

    @Override
    public int run(Invocation invocation) throws OciException {
        return check(invocation.request(), invocation.bundle(bundle));
    }

    /**
     * Validates {@code bundle}/config.json in both stages: the schema (stops at the
     * first stage when the document is unusable), then the semantic checks. Every
     * error and warning is printed; exit 1 when there is an error.
     */
    int check(Request request, Path bundle) throws OciException {
        LoadedSpec loaded = new SpecReader().readBundle(bundle);
        ValidationReport report = SpecValidator.validate(bundle, loaded.file(), loaded.spec());
        for (SpecProblem w : report.warnings()) {
            request.err().println("jsyd-oci: warning: " + w.format());
        }
        if (!report.ok()) {
            throw new InvalidSpecException(report.errors());
        }
        request.out().println(loaded.file() + ": valid" + (report.warnings().isEmpty() ? ""
                : " (" + report.warnings().size() + " warning" + (report.warnings().size() == 1 ? "" : "s") + ")"));
        return 0;
    }
}
