package io.jsyd.runtime.spawn;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordered list of ops the init stub runs. Encoded as the stub reads it:
 * "JSYDPLAN", u32 version, u32 op count, then per op u32 code, u32 int count,
 * u32 string count, the ints as i64, and each string as u32 length (with its
 * NUL) and bytes. Native byte order: stub and JVM run on the same machine.
 */
public record Plan(List<PlanOp> ops) {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "JSYDPLAN".getBytes(StandardCharsets.US_ASCII);

    public Plan {
        ops = List.copyOf(ops);
    }

    public String originOf(int opIndex) {
        return opIndex >= 0 && opIndex < ops.size() ? ops.get(opIndex).origin() : "";
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        out.writeBytes(MAGIC);
        out.writeBytes(u32(VERSION));
        out.writeBytes(u32(ops.size()));
        for (PlanOp op : ops) {
            long[] ints = op.ints();
            out.writeBytes(u32(op.code().code()));
            out.writeBytes(u32(ints.length));
            out.writeBytes(u32(op.strings().size()));
            ByteBuffer b = ByteBuffer.allocate(ints.length * Long.BYTES).order(ByteOrder.nativeOrder());
            for (long v : ints) {
                b.putLong(v);
            }
            out.writeBytes(b.array());
            for (byte[] s : op.strings()) {
                out.writeBytes(u32(s.length + 1));
                out.writeBytes(s);
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** Collects ops in order. */
    public static final class Builder {
        private final List<PlanOp> ops = new ArrayList<>();

        public Builder add(PlanOp op) {
            ops.add(op);
            return this;
        }

        public Builder add(OpCode code, String origin, long[] ints, String... strings) {
            return add(PlanOp.of(code, origin, ints, strings));
        }

        public Builder add(OpCode code, String origin, String... strings) {
            return add(PlanOp.of(code, origin, strings));
        }

        public int size() {
            return ops.size();
        }

        public Plan build() {
            return new Plan(ops);
        }
    }
}
