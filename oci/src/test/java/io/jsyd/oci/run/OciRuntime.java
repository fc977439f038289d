package io.jsyd.oci.run;

import io.jsyd.oci.cli.Main;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A runtime under test, driven only through its command line as podman drives it:
 * jsyd-oci (this build, in a fresh JVM) and runc, the reference.
 */
enum OciRuntime {
    JSYD("jsyd-oci"),
    RUNC("runc");

    private static final Path RUNC_BINARY = Path.of("/usr/sbin/runc");

    private final String label;

    OciRuntime(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    boolean available() {
        return this == JSYD || Files.isExecutable(RUNC_BINARY);
    }

    /** What a run gave: exit status and the two streams. */
    record Result(int status, String out, String err) {
        String describe() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    List<String> command(Path stateRoot, String... args) {
        List<String> c = new ArrayList<>();
        if (this == JSYD) {
            c.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
        } else {
            c.add(RUNC_BINARY.toString());
        }
        c.addAll(List.of("--root", stateRoot.toString()));
        c.addAll(List.of(args));
        return c;
    }

    /** `run -b BUNDLE ID` in the foreground, stdin from /dev/null. */
    Result run(Path stateRoot, Path bundle, String id) {
        return exec(command(stateRoot, "run", "-b", bundle.toString(), id));
    }

    /**
     * Runs {@code command} with {@code extraFd} open as fd 3 and LISTEN_FDS=1,
     * LISTEN_PID set to the runtime's pid, as systemd socket activation does.
     */
    Result runWithListenFd(Path stateRoot, Path bundle, String id, Path extraFd) {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c",
                "exec 3<\"$0\"; export LISTEN_FDS=1 LISTEN_PID=$$; exec \"$@\"", extraFd.toString()));
        c.addAll(command(stateRoot, "run", "-b", bundle.toString(), id));
        return exec(c);
    }

    /**
     * `run` with a terminal on stdin (33 rows, 111 columns), as a user at a shell has:
     * script(1) holds the terminal's other side.
     */
    Result runInTerminal(Path stateRoot, Path bundle, String id) {
        StringBuilder line = new StringBuilder("stty rows 33 cols 111;");
        for (String arg : command(stateRoot, "run", "-b", bundle.toString(), id)) {
            line.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        // script's stdin stays open: at its end script would type an EOF into the terminal
        return exec(List.of("script", "-q", "-e", "-c", line.toString(), "/dev/null"), true);
    }

    static Result exec(List<String> command) {
        return exec(command, false);
    }

    private static Result exec(List<String> command, boolean openStdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (!openStdin) {
                pb.redirectInput(new File("/dev/null"));
            }
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
