package io.jsyd.oci.cli;

import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.features.SpecVersions;
import io.jsyd.runtime.seccomp.LibseccompVersion;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs one request of the command line and returns its exit status. No state
 * survives between calls: every call builds its own command objects.
 *
 * <p>Failures end here: an {@link OciException} becomes "jsyd-oci: message" lines
 * on stderr and the exit status of {@link ExitCodes}; a parse error becomes one
 * line plus a hint, exit 2. With {@code --log}, the same error also goes to the
 * log file in runc's format, because callers such as podman read it from there.
 */
public final class JsydOci {
    static final String NAME = "jsyd-oci";

    private JsydOci() {
    }

    public static int execute(Request request) {
        return execute(request, Clock.systemDefaultZone());
    }

    static int execute(Request request, Clock clock) {
        PrintWriter out = writer(request.out());
        PrintWriter err = writer(request.err());
        try {
            return dispatch(request, clock, out, err);
        } catch (RuntimeException e) {
            // Past the command's own handler (a bug in parsing or set-up): still one line, never a trace.
            out.flush();
            request.err().println(NAME + ": internal error: " + e);
            request.err().flush();
            return ExitCodes.FAILURE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int dispatch(Request request, Clock clock, PrintWriter out, PrintWriter err) {
        CommandLine root = CommandTree.build(request.args(), out, err);
        RootCommand globals = root.getCommand();
        ParseResult parsed;
        try {
            parsed = root.parseArgs(request.args().toArray(String[]::new));
        } catch (ParameterException e) {
            return usageError(request, clock, globals, e);
        }

        List<CommandLine> chain = parsed.asCommandLineList();
        for (CommandLine command : chain) {
            if (command.isUsageHelpRequested()) {
                command.usage(out, Ansi.OFF);
                return ExitCodes.OK;
            }
        }
        if (root.isVersionHelpRequested()) {
            printVersion(request.out());
            return ExitCodes.OK;
        }
        CommandLine leaf = chain.getLast();
        if (leaf == root) {
            // No command: runc shows its help and succeeds.
            root.usage(out, Ansi.OFF);
            return ExitCodes.OK;
        }

        GlobalFlags flags = globals.flags(request);
        RunLog log = flags.logFile().map(f -> RunLog.to(f, flags.logFormat(), clock)).orElseGet(RunLog::off);
        Invocation invocation = new Invocation(request, flags, log);
        Verb verb = leaf.getCommand();
        try {
            return verb.run(invocation);
        } catch (OciException e) {
            report(invocation, e);
            return verb.statusOf(e);
        } catch (RuntimeException e) {
            return internalError(invocation, e);
        }
    }

    /** runc's version lines, with libseccomp's only when it is installed. */
    static List<String> versionLines(Optional<LibseccompVersion> libseccomp) {
        return libseccomp.map(v -> List.of(NAME + " version " + BuildInfo.version(), "spec: " + SpecVersions.MAX,
                        "libseccomp: " + v))
                .orElseGet(() -> List.of(NAME + " version " + BuildInfo.version(), "spec: " + SpecVersions.MAX));
    }

    private static void printVersion(PrintStream out) {
        versionLines(LibseccompVersion.installed()).forEach(out::println);
        out.flush();
    }

    /** Prints the error's lines and returns its exit status (no log: for callers without an invocation). */
    static int report(Request request, OciException e) {
        for (String line : e.lines()) {
            request.err().println(NAME + ": " + line);
        }
        request.err().flush();
        return ExitCodes.of(e);
    }

    static int report(Invocation invocation, OciException e) {
        int status = report(invocation.request(), e);
        log(invocation.request(), invocation.log(), String.join("\n", e.lines()));
        return status;
    }

    private static int usageError(Request request, Clock clock, RootCommand globals, ParameterException e) {
        String message = firstLine(e.getMessage());
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        request.err().println(NAME + ": " + message);
        request.err().println("Try '" + command + " --help' for more information.");
        request.err().flush();
        Optional<Path> logFile = globals.logFile(request);
        logFile.ifPresent(f -> log(request, RunLog.to(f, globals.logFormatOrDefault(), clock), message));
        return ExitCodes.of(new UsageException(message));
    }

    /** A bug, not a user error: one line, and the stack trace only when asked for with --debug. */
    private static int internalError(Invocation invocation, RuntimeException e) {
        PrintStream err = invocation.request().err();
        String message = "internal error: " + e;
        err.println(NAME + ": " + message);
        if (invocation.flags().debug()) {
            e.printStackTrace(err);
        }
        err.flush();
        log(invocation.request(), invocation.log(), message);
        return ExitCodes.FAILURE;
    }

    /** A log file that cannot be written must not hide the error being reported: say so on stderr. */
    private static void log(Request request, RunLog log, String message) {
        try {
            log.error(message);
        } catch (IOException e) {
            log.file().ifPresent(f -> report(request, new OciIoException("write log", f, e)));
        }
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid command line";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }
}
