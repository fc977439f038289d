package io.jsyd.oci.cli.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the jsyd-oci client sends the command server in one SOCK_SEQPACKET
 * message, with its stdin, stdout and stderr attached (SCM_RIGHTS):
 * <pre>
 *   "JSYDCMD1"                      8 bytes
 *   argc                            u32, little-endian
 *   argv[1..]                       argc strings, each NUL-terminated
 *   envc                            u32
 *   environ                         envc "KEY=VALUE" strings, each NUL-terminated
 *   cwd                             one NUL-terminated string
 *   identity                        one NUL-terminated string: "NAME=DEV:INO;" for
 *                                   the namespaces cgroup ipc mnt net pid user uts
 *                                   (/proc/self/ns/NAME), then root (/)
 *   cgroups                         one NUL-terminated string: /proc/self/cgroup
 *   umask                           u32
 * </pre>
 * The answer is five bytes: {@code 'X'} and the exit status (s32), or
 * {@code 'D'} and 0: "run this command yourself". Before it, the server may ask
 * the client to start and reap the init stub ({@link ClientParent}). Written by hand in C on the
 * other side (oci/src/main/c/jsyd-oci-client.c): keep the two in step.
 */
public record ClientRequest(List<String> args, Map<String, String> env, Path cwd, String identity, String cgroups,
                            int umask) {
    static final byte[] MAGIC = "JSYDCMD1".getBytes(StandardCharsets.US_ASCII);
    /** The largest request the client sends; a bigger one runs in the client's own JVM. */
    public static final int MAX_SIZE = 64 * 1024;
    static final int STDIO_FDS = 3;

    public ClientRequest {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /** A malformed message: the client and the server are not of one build, or something else wrote it. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    public static ClientRequest decode(byte[] message) throws MalformedException {
        ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        if (message.length < MAGIC.length + 4 || !java.util.Arrays.equals(message, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new MalformedException("not a jsyd-oci client request");
        }
        b.position(MAGIC.length);
        List<String> args = strings(b, "argument");
        List<String> envList = strings(b, "environment variable");
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : envList) {
            int eq = e.indexOf('=');
            // execve keeps a string without '=' too; no getenv finds it, so neither does the command
            if (eq > 0) {
                env.putIfAbsent(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        String cwd = string(b, "working directory");
        String identity = string(b, "identity");
        String cgroups = string(b, "cgroups");
        if (b.remaining() != 4) {
            throw new MalformedException("expected the umask (4 bytes) after the cgroups, found " + b.remaining());
        }
        int umask = b.getInt();
        if ((umask & ~0777) != 0) {
            throw new MalformedException("impossible umask " + Integer.toOctalString(umask));
        }
        if (!cwd.startsWith("/")) {
            throw new MalformedException("working directory is not absolute: " + cwd);
        }
        return new ClientRequest(args, env, Path.of(cwd), identity, cgroups, umask);
    }

    /** The inverse of {@link #decode}, for tests and for a Java client. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        writeStrings(out, args);
        writeStrings(out, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        writeString(out, cwd.toString());
        writeString(out, identity);
        writeString(out, cgroups);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(umask).array());
        return out.toByteArray();
    }

    private static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");

    /** This process's identity, as the client writes its own. */
    public static String identityOfThisProcess() throws java.io.IOException {
        StringBuilder s = new StringBuilder();
        for (String ns : NAMESPACES) {
            s.append(fileKey(ns, Path.of("/proc/self/ns", ns)));
        }
        return s.append(fileKey("root", Path.of("/"))).toString();
    }

    private static String fileKey(String name, Path path) throws java.io.IOException {
        return name + "=" + java.nio.file.Files.getAttribute(path, "unix:dev") + ":"
                + java.nio.file.Files.getAttribute(path, "unix:ino") + ";";
    }

    static byte[] answerExit(int status) {
        return ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'X').putInt(status).array();
    }

    static byte[] answerDirect() {
        return ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'D').putInt(0).array();
    }

    private static List<String> strings(ByteBuffer b, String what) throws MalformedException {
        if (b.remaining() < 4) {
            throw new MalformedException("cut short before the " + what + " count");
        }
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new MalformedException("impossible " + what + " count " + Integer.toUnsignedString(n));
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(string(b, what));
        }
        return out;
    }

    private static String string(ByteBuffer b, String what) throws MalformedException {
        int start = b.position();
        int end = start;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        if (end == b.limit()) {
            throw new MalformedException("unterminated " + what);
        }
        String s = new String(b.array(), start, end - start, StandardCharsets.UTF_8);
        b.position(end + 1);
        return s;
    }

    private static void writeStrings(ByteArrayOutputStream out, List<String> strings) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(strings.size()).array());
        strings.forEach(s -> writeString(out, s));
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
