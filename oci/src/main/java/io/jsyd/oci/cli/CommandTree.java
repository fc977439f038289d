package io.jsyd.oci.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/** Builds the picocli command tree for one request. */
final class CommandTree {
    /** Commands whose options end at the first positional argument (runc's SkipArgReorder). */
    private static final String[] STOP_AT_POSITIONAL = {"exec", "ps"};

    private CommandTree() {
    }

    static CommandLine build(PrintWriter out, PrintWriter err) {
        CommandLine root = new CommandLine(new RootCommand());
        for (CommandLine sub : root.getSubcommands().values()) {
            // Aliases ("h") share the CommandLine of their command: add the option once.
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addOption(OptionSpec.builder("-h", "--help")
                        .usageHelp(true).description("show help").build());
            }
        }
        for (String name : STOP_AT_POSITIONAL) {
            root.getSubcommands().get(name).setStopAtPositional(true);
        }
        // Go's flag package gives a flag that needs a value the next word, whatever it looks like.
        root.setAllowSubcommandsAsOptionParameters(true);
        root.setAllowOptionsAsOptionParameters(true);
        GoFlags.adapt(root);
        // The CLI may run in a server whose own terminal says nothing about the client's.
        root.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        root.setOut(out);
        root.setErr(err);
        return root;
    }
}
