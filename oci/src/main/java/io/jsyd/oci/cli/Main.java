package io.jsyd.oci.cli;

/** The process entry point: the only place that touches System.* or exits. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = JsydOci.execute(Request.ofProcess(args));
        System.out.flush();
        System.err.flush();
        // halt, not exit: the command has returned and cleaned up after itself, so
        // there is nothing left for shutdown hooks to do, while Runtime.exit looks
        // up a System.Logger on the way out (JDK 21+), which scans every jar on the
        // class path for a LoggerFinder: about 9 ms of a 40 ms run (bench/startup).
        Runtime.getRuntime().halt(status);
    }
}
