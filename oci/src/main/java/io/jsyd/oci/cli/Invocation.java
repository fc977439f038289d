package io.jsyd.oci.cli;

import java.nio.file.Path;

/**
 * What a command runs with: the request, the global flags and the request's log.
 * Built per request after parsing; nothing in it outlives the request.
 */
public record Invocation(Request request, GlobalFlags flags, RunLog log) {
    /** A path from the command line, resolved against the caller's working directory. */
    public Path resolve(String path) {
        return request.resolve(path);
    }

    /** A bundle flag's directory; runc's default (no flag, or an empty one) is the working directory. */
    public Path bundle(String flag) {
        return flag == null || flag.isEmpty() ? request.cwd() : request.resolve(flag);
    }
}
