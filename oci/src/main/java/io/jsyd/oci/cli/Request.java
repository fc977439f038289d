package io.jsyd.oci.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One invocation of the command line, as data. Commands read their arguments,
 * environment, working directory and stdio only from here (never from System.*),
 * so that the same code can later run inside a resident server that received the
 * request over a socket.
 */
public record Request(List<String> args, Map<String, String> env, Path cwd,
                      InputStream in, PrintStream out, PrintStream err) {
    public Request {
        args = List.copyOf(args);
        env = Map.copyOf(env);
        cwd = cwd.toAbsolutePath().normalize();
    }

    /** The request of this JVM process; only {@code Main} calls it. */
    static Request ofProcess(String[] args) {
        return new Request(List.of(args), System.getenv(), Path.of("").toAbsolutePath(),
                System.in, System.out, System.err);
    }

    /** Resolves a path given on the command line against the request's cwd. */
    public Path resolve(String path) {
        return cwd.resolve(path).normalize();
    }
}
