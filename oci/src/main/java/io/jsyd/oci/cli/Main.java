package io.jsyd.oci.cli;

/** The process entry point: the only place that touches System.* or exits. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = JsydOci.execute(Request.ofProcess(args));
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }
}
