package io.jsyd.oci.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Runs the command line in-process, as a request with captured streams. */
public final class Cli {
    /** 2026-01-02T03:04:05.678Z in UTC: log lines carry its whole seconds. */
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    public record Result(int status, String out, String err) {
    }

    private Cli() {
    }

    public static Result run(Path cwd, String... args) {
        return runWithInput(cwd, new byte[0], args);
    }

    /** As {@link #run}, with {@code in} as the request's standard input. */
    public static Result runWithInput(Path cwd, byte[] in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Request request = new Request(List.of(args), Map.of(), cwd, new java.io.ByteArrayInputStream(in),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int status = JsydOci.execute(request, CLOCK);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
