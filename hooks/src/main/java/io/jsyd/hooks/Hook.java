package io.jsyd.hooks;

import java.time.Duration;
import java.util.List;

/**
 * One hook command, as the kernel runs it (the front end converts the OCI form).
 *
 * @param path    the executable, absolute on the runtime's host
 * @param args    the whole argv, args[0] included; empty means argv = [path]
 * @param env     the whole environment (nothing is inherited from the runtime)
 * @param timeout how long it may run before it and its process group are killed; null for no limit
 */
public record Hook(String path, List<String> args, List<String> env, Duration timeout) {
    public Hook {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a hook needs a path");
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("a hook's timeout must be positive, not " + timeout);
        }
    }

    public List<String> argv() {
        return args.isEmpty() ? List.of(path) : args;
    }
}
