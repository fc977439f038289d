package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * runc's internal re-exec entry. Reserved so that nothing else takes the name;
 * jsyd-oci's container init is the C stub, not this JVM.
 */
@Command(name = "init", hidden = true, description = "internal: not for direct use")
public final class InitCommand implements Verb {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("init");
    }
}
