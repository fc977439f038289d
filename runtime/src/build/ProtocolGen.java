import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step: turns the stub's ops.def and protocol.def (the single source of
 * truth, read by the C compiler as X-macros) into Java enums.
 *
 * Usage: ProtocolGen C_DIR OUT_SOURCE_ROOT
 */
public final class ProtocolGen {
    private static final Pattern OP = Pattern.compile(
            "^OP\\(\\s*(\\d+),\\s*(\\w+),\\s*(\\d+),\\s*(\\d+),\\s*\"(.*)\"\\)\\s*$");
    private static final Pattern MSG = Pattern.compile(
            "^MSG\\(\\s*(\\d+),\\s*(\\w+),\\s*\"(.*)\"\\)\\s*$");
    private static final Pattern VERSION = Pattern.compile(
            "^#define JSYD_PROTOCOL_VERSION \"(\\d+)\"\\s*$");

    public static void main(String[] args) throws IOException {
        Path c = Path.of(args[0]);
        Path pkg = Path.of(args[1], "io", "jsyd", "runtime", "spawn");
        Files.createDirectories(pkg);

        List<String> ops = new ArrayList<>();
        for (String line : Files.readAllLines(c.resolve("ops.def"))) {
            Matcher m = OP.matcher(line);
            if (m.matches()) {
                ops.add("    /** " + m.group(5).replace("*/", "* /") + " */\n    " + m.group(2)
                        + "(" + m.group(1) + ", " + m.group(3) + ", " + m.group(4) + ")");
            } else if (line.startsWith("OP(")) {
                throw new IllegalStateException("ops.def: cannot read " + line);
            }
        }
        List<String> msgs = new ArrayList<>();
        for (String line : Files.readAllLines(c.resolve("protocol.def"))) {
            Matcher m = MSG.matcher(line);
            if (m.matches()) {
                msgs.add("    /** " + m.group(3).replace("*/", "* /") + " */\n    " + m.group(2)
                        + "(" + m.group(1) + ")");
            } else if (line.startsWith("MSG(")) {
                throw new IllegalStateException("protocol.def: cannot read " + line);
            }
        }
        String version = null;
        for (String line : Files.readAllLines(c.resolve("jsyd-init.c"))) {
            Matcher m = VERSION.matcher(line);
            if (m.matches()) {
                version = m.group(1);
            }
        }
        if (ops.isEmpty() || msgs.isEmpty() || version == null) {
            throw new IllegalStateException("no ops, messages or protocol version found in " + c);
        }

        String header = "package io.jsyd.runtime.spawn;\n\n"
                + "// Generated from runtime/src/main/c at build time; edit the .def files instead.\n\n";
        Files.writeString(pkg.resolve("OpCode.java"), header
                + "/** Plan operations of the init stub (ops.def). */\n"
                + "public enum OpCode {\n" + String.join(",\n", ops) + ";\n\n"
                + "    private final int code;\n    private final int minInts;\n    private final int minStrings;\n\n"
                + "    OpCode(int code, int minInts, int minStrings) {\n"
                + "        this.code = code;\n        this.minInts = minInts;\n        this.minStrings = minStrings;\n    }\n\n"
                + "    public int code() {\n        return code;\n    }\n\n"
                + "    public int minInts() {\n        return minInts;\n    }\n\n"
                + "    public int minStrings() {\n        return minStrings;\n    }\n}\n");
        Files.writeString(pkg.resolve("MessageType.java"), header
                + "/** Messages between the parent and the init stub (protocol.def). */\n"
                + "public enum MessageType {\n" + String.join(",\n", msgs) + ";\n\n"
                + "    /** The version the stub insists on as its first argument. */\n"
                + "    public static final String PROTOCOL_VERSION = \"" + version + "\";\n\n"
                + "    private final int code;\n\n"
                + "    MessageType(int code) {\n        this.code = code;\n    }\n\n"
                + "    public int code() {\n        return code;\n    }\n\n"
                + "    public static MessageType of(int code) {\n"
                + "        for (MessageType t : values()) {\n            if (t.code == code) {\n                return t;\n            }\n        }\n"
                + "        throw new IllegalArgumentException(\"unknown stub message type \" + code);\n    }\n}\n");
    }
}
