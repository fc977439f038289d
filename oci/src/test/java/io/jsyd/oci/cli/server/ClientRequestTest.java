package io.jsyd.oci.cli.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsyd.oci.cli.ServedCommands;
import io.jsyd.oci.cli.ServedCommands.Where;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientRequestTest {
    private static final ClientRequest SAMPLE = new ClientRequest(List.of("--root", "/r", "state", "ïd"),
            Map.of("PATH", "/bin", "EMPTY", "", "EQ", "a=b"), Path.of("/some/dir"), "mnt=1:2;root=3:4;",
            "0::/\n1:memory:/a\n", 022);

    @Test
    void roundTrips() throws Exception {
        ClientRequest back = ClientRequest.decode(SAMPLE.encode());
        assertEquals(SAMPLE, back);
    }

    @Test
    void theWireFormatIsTheOneTheCClientWrites() throws Exception {
        byte[] wire = ("JSYDCMD1" + "\2\0\0\0" + "list\0-q\0" + "\1\0\0\0" + "A=1\0" + "/\0" + "who\0"
                + "0::/\n\0" + "\22\0\0\0").getBytes(StandardCharsets.US_ASCII);
        ClientRequest r = ClientRequest.decode(wire);
        assertEquals(List.of("list", "-q"), r.args());
        assertEquals(Map.of("A", "1"), r.env());
        assertEquals(Path.of("/"), r.cwd());
        assertEquals("who", r.identity());
        assertEquals("0::/\n", r.cgroups());
        assertEquals(022, r.umask());
        assertArrayEquals(new byte[] {'X', 7, 1, 0, 0}, ClientRequest.answerExit(263));
        assertEquals('D', ClientRequest.answerDirect()[0]);
    }

    @Test
    void environmentEntriesWithoutAnEqualsSignAreDropped() throws Exception {
        byte[] wire = ("JSYDCMD1" + "\0\0\0\0" + "\2\0\0\0" + "NOEQ\0B=2\0" + "/\0" + "\0" + "\0" + "\0\0\0\0")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(Map.of("B", "2"), ClientRequest.decode(wire).env());
    }

    @Test
    void malformedMessagesAreRefused() {
        byte[] good = SAMPLE.encode();
        assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(new byte[0]));
        assertThrows(ClientRequest.MalformedException.class,
                () -> ClientRequest.decode("JSYDCMD2\0\0\0\0".getBytes(StandardCharsets.US_ASCII)));
        for (int cut = 8; cut < good.length; cut += 7) {
            byte[] shorter = Arrays.copyOf(good, cut);
            assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(shorter), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(trailing));
        byte[] hugeCount = good.clone();
        hugeCount[8] = (byte) 0xff;
        hugeCount[11] = (byte) 0x7f;
        assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(hugeCount));
        ClientRequest relative = new ClientRequest(List.of(), Map.of(), Path.of("rel"), "", "", 0);
        assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(relative.encode()));
        ClientRequest badMask = new ClientRequest(List.of(), Map.of(), Path.of("/"), "", "", 01000);
        assertThrows(ClientRequest.MalformedException.class, () -> ClientRequest.decode(badMask.encode()));
    }

    @Test
    void theServerRunsOnlyCommandsThatNeedNotBeTheCallersProcess() {
        for (String command : List.of("create", "start", "state", "kill", "delete", "list", "ps", "pause", "resume", "update",
                "features", "check")) {
            assertEquals(Where.SERVER, ServedCommands.where(List.of("--root", "/r", command, "x")), command);
        }
        assertEquals(Where.SERVER, ServedCommands.where(List.of("--version")));
        assertEquals(Where.SERVER, ServedCommands.where(List.of()));
        assertEquals(Where.SERVER, ServedCommands.where(List.of("events", "--stats", "x")));
        assertEquals(Where.SERVER, ServedCommands.where(List.of("--log", "/l", "create", "x")));
        // exec --detach ends once the process runs, as create does, in any spelling Go's flags take
        for (List<String> detached : List.of(List.of("exec", "-d", "x", "sh"), List.of("exec", "--detach", "x", "sh"),
                List.of("--root", "/r", "exec", "--pid-file", "/p", "--detach=true", "--process", "/j", "x"),
                List.of("exec", "-detach", "-t", "--console-socket", "/s", "x", "sh"))) {
            assertEquals(Where.SERVER, ServedCommands.where(detached), detached.toString());
        }
        for (List<String> direct : List.of(List.of("run", "x"), List.of("run", "-d", "x"), List.of("exec", "x", "sh"),
                // -d after the container id is the process's own argument
                List.of("exec", "x", "sh", "-d"), List.of("exec", "--detach=false", "x", "sh"),
                List.of("exec", "--no-such-flag", "-d", "x", "sh"),
                List.of("spec"), List.of("events", "x"), List.of("events", "--interval", "1s", "x"),
                List.of("events", "--stats=false", "x"), List.of("bundle", "create", "a", "b"),
                List.of("checkpoint", "x"), List.of("restore", "x"), List.of("init"),
                // "state" here is the value of --root, not the command
                List.of("--root", "state", "run", "x"))) {
            assertEquals(Where.CLIENT, ServedCommands.where(direct), direct.toString());
        }
    }
}
