package io.jsyd.oci.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Cli.Result;
import io.jsyd.oci.cli.Tools;
import io.jsyd.oci.defaults.DefaultSpec;
import io.jsyd.oci.spec.SpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class SpecCommandTest {
    @TempDir
    Path cwd;

    private static JsonNode read(Path file) throws Exception {
        return SpecJson.mapper().readTree(Files.readString(file));
    }

    /** The tree a reader of the file gets (numbers as parsed, not as the model's Long fields). */
    private static JsonNode asWritten(Object spec) {
        return SpecJson.mapper().readTree(SpecJson.compact(spec));
    }

    @Test
    void writesTheDefaultSpecIntoTheWorkingDirectory() throws Exception {
        assertEquals(new Result(0, "", ""), Cli.run(cwd, "spec"));
        JsonNode written = read(cwd.resolve("config.json"));
        assertEquals(asWritten(DefaultSpec.standard()), written);
        assertEquals("1.3.0", written.get("ociVersion").asString());
    }

    @Test
    void refusesToOverwriteWithRuncsMessage() throws Exception {
        Files.writeString(cwd.resolve("config.json"), "mine");
        assertEquals(new Result(1, "", "jsyd-oci: File config.json exists. Remove it first\n"), Cli.run(cwd, "spec"));
        assertEquals("mine", Files.readString(cwd.resolve("config.json")));
    }

    @Test
    void theBundleIsResolvedAgainstTheRequestsDirectory() throws Exception {
        Files.createDirectories(cwd.resolve("b/one"));
        assertEquals(0, Cli.run(cwd, "spec", "-b", "b/one").status());
        assertTrue(Files.exists(cwd.resolve("b/one/config.json")));
        assertEquals(0, Cli.run(cwd, "spec", "--bundle=" + cwd.resolve("b")).status());
        assertTrue(Files.exists(cwd.resolve("b/config.json")));
    }

    @Test
    void aMissingBundleDirectoryNamesThePath() {
        Result r = Cli.run(cwd, "spec", "-b", "nope");
        assertEquals(new Result(1, "", "jsyd-oci: write " + cwd.resolve("nope/config.json")
                + ": no such file or directory\n"), r);
    }

    @Test
    void rootlessMapsRootToTheCaller() throws Exception {
        assertEquals(0, Cli.run(cwd, "spec", "--rootless").status());
        CallerIds ids = CallerIds.ofThisProcess();
        assertEquals(asWritten(DefaultSpec.rootless(ids.uid(), ids.gid())), read(cwd.resolve("config.json")));
    }

    @Test
    void sameTreeAsRuncSpec() throws Exception {
        compareWithRunc(false);
    }

    @Test
    void sameTreeAsRuncSpecRootless() throws Exception {
        compareWithRunc(true);
    }

    private void compareWithRunc(boolean rootless) throws Exception {
        Path theirs = Files.createDirectory(cwd.resolve("runc"));
        Path ours = Files.createDirectory(cwd.resolve("ours"));
        Optional<Tools.Output> runc = rootless ? Tools.run(theirs, "runc", "spec", "--rootless")
                : Tools.run(theirs, "runc", "spec");
        assumeTrue(runc.isPresent(), "runc is not installed");
        assertEquals(0, runc.get().status(), runc.get().out());
        assertEquals(0, (rootless ? Cli.run(ours, "spec", "--rootless") : Cli.run(ours, "spec")).status());

        ObjectNode expected = (ObjectNode) read(theirs.resolve("config.json"));
        ObjectNode actual = (ObjectNode) read(ours.resolve("config.json"));
        // ociVersion is each runtime's own; everything else must be runc's.
        expected.remove("ociVersion");
        actual.remove("ociVersion");
        assertEquals(expected, actual);
    }
}
