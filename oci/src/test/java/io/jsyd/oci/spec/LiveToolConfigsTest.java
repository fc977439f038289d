package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The same round trip as {@link RoundTripTest}, on configs the installed tools make
 * now, so a newer runc or crun that adds fields is noticed. Skipped, with the
 * reason, where a tool is not installed. Podman is not here: its config only
 * appears after {@code podman init}, which needs root and container storage (the
 * captured podman configs are in RoundTripTest).
 */
class LiveToolConfigsTest {
    @TempDir
    Path dir;

    private final SpecReader reader = new SpecReader();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // command              | where the config goes
        "runc spec              | config.json",
        "runc spec --rootless   | config.json",
        "crun spec              | config.json",
        "crun spec --rootless   | config.json",
        "ctr oci spec           | stdout",
    })
    void configFromTheInstalledTool(String command, String output) throws Exception {
        List<String> argv = Arrays.asList(command.split(" "));
        Path tool = onPath(argv.getFirst());
        assumeTrue(tool != null, argv.getFirst() + " is not installed (not on PATH)");

        Path stdout = dir.resolve("stdout");
        java.lang.Process p = new ProcessBuilder(new ArrayList<>(argv))
                .directory(dir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), command + " did not finish in 30 s");
        assertEquals(0, p.exitValue(), command + " failed");

        Path file = dir.resolve(output);
        JsonNode tree = reader.readTree(file);
        assertEquals(List.of(), reader.schemaProblems(file, tree), command);
        LoadedSpec loaded = reader.read(file);
        assertTrue(SpecFixtures.sameJson(tree, SpecJson.tree(loaded.spec())), command + ": round trip changed the JSON");
    }

    private static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
