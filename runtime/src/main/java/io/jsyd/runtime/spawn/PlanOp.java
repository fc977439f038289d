package io.jsyd.runtime.spawn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One primitive operation for the init stub. {@code origin} says what the op was
 * made from ("mounts[3] (destination /data)"), so a failure can name it.
 */
public record PlanOp(OpCode code, long[] ints, List<byte[]> strings, String origin) {
    public PlanOp {
        ints = ints.clone();
        strings = List.copyOf(strings);
        if (ints.length < code.minInts() || strings.size() < code.minStrings()) {
            throw new IllegalArgumentException(code + " needs " + code.minInts() + " ints and "
                    + code.minStrings() + " strings, got " + ints.length + " and " + strings.size());
        }
        // the stub reads a BPF program by its length, NUL bytes and all; other strings are C strings
        for (byte[] s : code == OpCode.SECCOMP_LOAD ? List.<byte[]>of() : strings) {
            for (byte b : s) {
                if (b == 0) {
                    throw new IllegalArgumentException(code + ": a string argument contains a NUL byte");
                }
            }
        }
    }

    @Override
    public long[] ints() {
        return ints.clone();
    }

    public static PlanOp of(OpCode code, String origin, long[] ints, String... strings) {
        List<byte[]> bytes = new ArrayList<>(strings.length);
        for (String s : strings) {
            bytes.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return new PlanOp(code, ints, bytes, origin);
    }

    public static PlanOp of(OpCode code, String origin, String... strings) {
        return of(code, origin, new long[0], strings);
    }

    /** The string arguments as text, for tests and debugging. */
    public List<String> texts() {
        return strings.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Override
    public String toString() {
        return code + Arrays.toString(ints) + texts() + (origin.isEmpty() ? "" : " <- " + origin);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PlanOp p) || p.code != code || !Arrays.equals(p.ints, ints)
                || !p.origin.equals(origin) || p.strings.size() != strings.size()) {
            return false;
        }
        for (int i = 0; i < strings.size(); i++) {
            if (!Arrays.equals(strings.get(i), p.strings.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return code.hashCode() * 31 + Arrays.hashCode(ints);
    }
}
