package io.jsyd.oci.cli.command;

import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "help", aliases = "h", description = "show the list of commands, or one command's help")
public final class HelpCommand implements Verb {
    @Parameters(arity = "0..1", paramLabel = "<command>")
    String command;

    @Spec
    CommandSpec spec;

    @Override
    public int run(Invocation invocation) throws UsageException {
        CommandLine parent = spec.parent().commandLine();
        CommandLine target = parent;
        if (command != null) {
            target = parent.getSubcommands().get(command);
            if (target == null) {
                throw new UsageException("No help topic for '" + command + "'");
            }
        }
        PrintStream out = invocation.request().out();
        target.usage(out, Ansi.OFF);
        out.flush();
        return 0;
    }
}
