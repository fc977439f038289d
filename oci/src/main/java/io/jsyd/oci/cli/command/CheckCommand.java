package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.cli.Verb;
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

    /** Validates {@code bundle}/config.json; the bundle path is absolute. */
    int check(Request request, Path bundle) throws OciException {
        throw new NotImplementedException("check");
    }
}
