package io.jsyd.oci.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the machine's own tools (runc, jq) that tests compare against. */
public final class Tools {
    public record Output(int status, String out) {
    }

    private Tools() {
    }

    /** The tool's exit status and merged output, or empty when it is not installed. */
    public static Optional<Output> run(Path dir, byte[] stdin, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + List.of(command));
        }
        return Optional.of(new Output(p.exitValue(), out));
    }

    public static Optional<Output> run(Path dir, String... command) throws IOException, InterruptedException {
        return run(dir, new byte[0], command);
    }
}
