package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `check` on the bundles of the foundation issue's "done when": one clear line each, exit 1. */
class CheckCommandTest {
    @TempDir
    Path dir;

    private Path bundle(String config) throws IOException {
        Path b = Files.createDirectories(dir.resolve("bundle"));
        Files.createDirectories(b.resolve("rootfs"));
        if (config != null) {
            Files.writeString(b.resolve("config.json"), config);
        }
        return b;
    }

    private static String config(String args, String root) {
        return """
                {"ociVersion": "1.0.2",
                 "process": {"cwd": "/", "args": %s, "env": ["PATH=/bin"]},
                 "root": {"path": %s},
                 "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}}
                """.formatted(args, root);
    }

    private static void assertNoStackTrace(Cli.Result r) {
        // a trace would show as "\tat ..." lines or an exception's class name
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    @Test
    void aValidBundleIsValid() throws IOException {
        Path b = bundle(config("[\"sh\"]", "\"rootfs\""));
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(new Cli.Result(0, b.resolve("config.json") + ": valid\n", ""), r);
    }

    @Test
    void aStringWhereArgsWantsAnArray() throws IOException {
        Path b = bundle(config("\"sh -c true\"", "\"rootfs\""));
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(1, r.status());
        assertEquals("jsyd-oci: " + b.resolve("config.json") + ": $.process.args: expected an array of strings, found a string\n",
                r.err());
        assertNoStackTrace(r);
    }

    @Test
    void aRelativeRootPathThatDoesNotExist() throws IOException {
        Path b = bundle(config("[\"sh\"]", "\"no-such-rootfs\""));
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("jsyd-oci: " + b.resolve("config.json") + ": $.root.path: \"no-such-rootfs\""), r.err());
        assertTrue(r.err().contains(b.resolve("no-such-rootfs").toString()), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void aMissingConfig() throws IOException {
        Path b = bundle(null);
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(new Cli.Result(1, "",
                "jsyd-oci: " + b.resolve("config.json") + ": $: cannot read: no such file or directory\n"), r);
    }

    @Test
    void malformedJson() throws IOException {
        Path b = bundle("{\"ociVersion\": \"1.0.2\",\n \"process\": {\"cwd\": \"/\",, }}");
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(new Cli.Result(1, "", "jsyd-oci: " + b.resolve("config.json") + ": $.process.cwd: malformed JSON"
                + " at line 2, column 25: unexpected character ',', expected a property name in double quotes\n"), r);
    }

    @Test
    void everyProblemIsPrinted() throws IOException {
        Path b = bundle("""
                {"ociVersion": "1.0.2",
                 "process": {"cwd": "relative", "args": ["sh"]},
                 "root": {"path": "rootfs"},
                 "hostname": "box",
                 "linux": {"namespaces": [{"type": "mount"}, {"type": "mount"}]}}
                """);
        Cli.Result r = Cli.run(dir, "check", "-b", b.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().lines().count() >= 3, r.err());
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("jsyd-oci: " + b.resolve("config.json") + ": $.")), r.err());
    }
}
