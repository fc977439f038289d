package io.jsyd.oci.cli.server;

import io.jsyd.runtime.StubProtocolException;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.Spawn;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.ProcessParent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client as the parent of the init stub, for a `create` the server runs: the
 * client forks and executes the stub's memfd, and reaps it, when the server asks
 * over the request's connection. Messages (little-endian), server to client:
 * <pre>
 *   'S' keepBelow:u32 n:u32 target:u32[n] argc:u32 argv (NUL-terminated)
 *       with fds [stub memfd, n sources] attached: start the stub
 *   'W' pid:s32                          reap pid
 * </pre>
 * and the client's answers, five bytes each: {@code 'P' pid}, {@code 'w' raw
 * wait status}, or {@code 'E' errno} when fork, exec or waitpid failed.
 */
final class ClientParent implements ProcessParent {
    private final UnixSocket connection;
    private final List<String> cgroupLines;

    /** @param cgroups the client's /proc/self/cgroup, as it sent it with the request */
    ClientParent(UnixSocket connection, String cgroups) {
        this.connection = connection;
        this.cgroupLines = cgroups.lines().toList();
    }

    @Override
    public List<String> cgroupLines() {
        return cgroupLines;
    }

    @Override
    public int spawnStub(InitStub stub, List<String> argv, int keepBelow, List<Spawn.FdMove> moves) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('S');
        u32(out, keepBelow);
        u32(out, moves.size());
        List<Fd> fds = new ArrayList<>(List.of(stub.memfd()));
        for (Spawn.FdMove m : moves) {
            u32(out, m.target());
            fds.add(m.source());
        }
        u32(out, argv.size());
        for (String a : argv) {
            out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        connection.sendWithFds(out.toByteArray(), fds);
        return answer('P', "fork and execute the init stub");
    }

    @Override
    public Processes.WaitStatus waitFor(int pid) {
        connection.send(ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'W').putInt(pid).array());
        return Processes.decode(pid, answer('w', "waitpid " + pid));
    }

    private int answer(char expected, String what) {
        byte[] a = connection.receive(5).data();
        if (a.length != 5) {
            throw new StubProtocolException("the jsyd-oci client went away while the server asked it to " + what);
        }
        int value = ByteBuffer.wrap(a, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (a[0] == 'E') {
            throw new SyscallException(what.startsWith("waitpid") ? "waitpid" : "fork/execveat", value,
                    "in the jsyd-oci client, for the command server");
        }
        if (a[0] != expected) {
            throw new StubProtocolException("the jsyd-oci client answered '" + (char) a[0] + "' instead of '"
                    + expected + "' when asked to " + what);
        }
        return value;
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }
}
