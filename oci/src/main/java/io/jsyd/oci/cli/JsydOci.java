package io.jsyd.oci.cli;

import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;

/**
 * Runs one request of the command line and returns its exit status. No state
 * survives between calls: every call builds its own command objects.
 */
public final class JsydOci {
    private JsydOci() {
    }

    public static int execute(Request request) {
        // Filled in by the CLI work: picocli command tree with runc's verbs and flags.
        request.err().println("jsyd-oci: no commands yet");
        return ExitCodes.of(new UsageException("no commands yet"));
    }

    static int report(Request request, OciException e) {
        for (String line : e.lines()) {
            request.err().println("jsyd-oci: " + line);
        }
        return ExitCodes.of(e);
    }
}
