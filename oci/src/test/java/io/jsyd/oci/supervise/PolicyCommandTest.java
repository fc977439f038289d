package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.cli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `policy check FILE` and `policy show ID`, without containers. */
class PolicyCommandTest {
    @Test
    void checkAcceptsAGoodFileAndPrintsItsCanonicalForm(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("common.jsyd"), "allow/read+/usr/***\n");
        Path file = Files.writeString(dir.resolve("p.jsyd"), "# web\nsandbox/read:on\ninclude common.jsyd\n"
                + "deny/read+/etc/shadow\ntimeout:30s\n");
        Cli.Result quiet = Cli.run(dir, "policy", "check", "p.jsyd");
        assertEquals(0, quiet.status(), quiet.err());
        assertEquals("", quiet.out());
        Cli.Result printed = Cli.run(dir, "policy", "check", "--print", file.toString());
        assertEquals(0, printed.status(), printed.err());
        assertEquals("sandbox/read:on\ntimeout:30s\nallow/read+/usr/***\ndeny/read+/etc/shadow\n", printed.out());
    }

    @Test
    void checkNamesTheFileAndLineOfEveryProblem(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.jsyd"), "sandbox/read:on\nallow/reed+/x\ntimeout:soon\n");
        Cli.Result r = Cli.run(dir, "policy", "check", file.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(file + ":2: ") && r.err().contains(file + ":3: "), r.err());
    }

    @Test
    void showOfAContainerWithoutPolicyOrOfNoneFails(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        Cli.Result none = Cli.run(dir, "--root", root.toString(), "policy", "show", "nosuch");
        assertEquals(1, none.status());
        assertTrue(none.err().contains("nosuch"), none.err());
        Files.createDirectories(root.resolve("plain"));
        Files.writeString(root.resolve("plain/state.json"), "{}");
        Cli.Result plain = Cli.run(dir, "--root", root.toString(), "policy", "show", "plain");
        assertEquals(1, plain.status());
        assertTrue(plain.err().contains("has no sandbox policy"), plain.err());
    }
}
