package io.jsyd.oci.cli;

import io.jsyd.oci.cli.server.CommandServer;
import java.nio.file.Path;
import java.time.Duration;

/** The process entry point: the only place that touches System.* or exits. */
public final class Main {
    /**
     * The first argument by which the native client starts the command server
     * (bin/jsyd-oci-client.c); not a runc command, so it is not in the command tree.
     */
    static final String SERVE = "command-server";
    /** How long the server waits for its next request before it exits. */
    static final Duration SERVER_IDLE = Duration.ofSeconds(30);

    private Main() {
    }

    public static void main(String[] args) {
        int status;
        if (args.length == 2 && args[0].equals(SERVE) && args[1].startsWith("/")) {
            status = CommandServer.serve(Path.of(args[1]), SERVER_IDLE, System.out, true);
        } else {
            Request request = Request.ofProcess(args);
            StepSeam seam = StepSeam.of(System.getenv());
            status = seam == null ? JsydOci.execute(request)
                    : ScopedValue.where(io.jsyd.runtime.spawn.Checkpoint.CURRENT, seam)
                            .call(() -> JsydOci.execute(request));
        }
        System.out.flush();
        System.err.flush();
        // halt, not exit: the command has returned and cleaned up after itself, so
        // there is nothing left for shutdown hooks to do, while Runtime.exit looks
        // up a System.Logger on the way out (JDK 21+), which scans every jar on the
        // class path for a LoggerFinder: about 9 ms of a 40 ms run (bench/startup).
        Runtime.getRuntime().halt(status);
    }
}
