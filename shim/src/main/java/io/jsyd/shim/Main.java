package io.jsyd.shim;

import java.nio.file.Path;
import java.util.List;

/** The process entry: the only place that reads System.*. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(ShimMain.run(new ShimMain.Invocation(List.of(args), System.getenv(),
                Path.of("").toAbsolutePath(), System.out, System.err, System.getProperty("jsyd.shim.launcher"))));
    }
}
