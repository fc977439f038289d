package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.spec.model.Process;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Files that are not there, not JSON, not an object; the cheap tree path; bundles; process.json. */
class SpecReaderFilesTest {
    @TempDir
    Path dir;

    private final SpecReader reader = new SpecReader();

    private SpecProblem onlyProblem(Path file) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> reader.read(file));
        assertEquals(1, e.problems().size(), e.problems().toString());
        return e.problems().getFirst();
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("config.json");
        assertEquals(new SpecProblem(file, "$", "cannot read: no such file or directory"), onlyProblem(file));
    }

    @Test
    void missingBundleDirectory() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> reader.readBundle(dir.resolve("nowhere")));
        assertEquals(List.of(new SpecProblem(dir.resolve("nowhere/config.json"), "$",
                "cannot read: no such file or directory")), e.problems());
    }

    @Test
    void directoryInsteadOfAFile() throws Exception {
        Path file = Files.createDirectory(dir.resolve("config.json"));
        assertEquals(new SpecProblem(file, "$", "cannot read: is a directory"), onlyProblem(file));
    }

    @Test
    void pathThroughAFile() throws Exception {
        Path notADir = Files.writeString(dir.resolve("bundle"), "");
        Path file = notADir.resolve("config.json");
        assertEquals(new SpecProblem(file, "$", "cannot read: not a directory"), onlyProblem(file));
    }

    @Test
    void emptyFile() {
        Path file = SpecFixtures.write(dir, "config.json", "");
        assertEquals(new SpecProblem(file, "$", "empty file: expected a JSON object"), onlyProblem(file));
    }

    @Test
    void fileWithOnlyWhitespace() {
        Path file = SpecFixtures.write(dir, "config.json", " \n\t\n");
        assertEquals(new SpecProblem(file, "$", "empty file: expected a JSON object"), onlyProblem(file));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1, 2]             | expected a JSON object, found an array",
        "\"config\"         | expected a JSON object, found a string",
        "42                 | expected a JSON object, found an integer",
        "null               | expected a JSON object, found null",
    })
    void topLevelValueThatIsNotAnObject(String text, String message) {
        Path file = SpecFixtures.write(dir, "config.json", text);
        assertEquals(new SpecProblem(file, "$", message), onlyProblem(file));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // text (\n is a newline)                     | path                 | message
        "{\"ociVersion\": \"1.0.2\",\\n \"process\": {\"args\": [\"sh\",]}} | $.process.args[1] | malformed JSON at line 2, column 28: unexpected character ']', expected a value (string, number, object, array, true, false or null)",
        "{\"a\" 1}                                    | $.a                  | malformed JSON at line 1, column 6: unexpected character '1', expected ':' after the property name",
        "{\"a\": 1 \"b\": 2}                          | $.a                  | malformed JSON at line 1, column 9: unexpected character '\"', expected ',' or '}'",
        "{\"a\": [1 2]}                               | $.a[1]               | malformed JSON at line 1, column 10: unexpected character '2', expected ',' or ']'",
        "{\"a\": 1,}                                  | $.a                  | malformed JSON at line 1, column 9: unexpected character '}', expected a property name in double quotes",
        "{\"a\": {\"b\": tru}}                        | $.a.b                | malformed JSON at line 1, column 13: unexpected word 'tru', expected a value (string, number, object, array, true, false or null)",
        "{\\n  \"process\": {\\n    \"cwd\": \"/\"\\n   | $.process.cwd        | malformed JSON at line 4, column 1: the file ends before the object is closed",
        "{\"a\": \"x\\q\"}                            | $.a                  | malformed JSON at line 1, column 10: invalid escape \\q in a string",
        "{\"a\": 01}                                  | $.a                  | malformed JSON at line 1, column 8: invalid number: leading zeroes not allowed",
        "{\"a\": 1} {\"b\": 2}                        | $                    | malformed JSON at line 1, column 10: more content after the end of the JSON document",
    })
    void malformedJson(String text, String path, String message) {
        Path file = SpecFixtures.write(dir, "config.json", text.replace("\\n", "\n"));
        assertEquals(new SpecProblem(file, path, message), onlyProblem(file));
    }

    @Test
    void binaryFile() throws Exception {
        Path file = Files.write(dir.resolve("config.json"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        assertEquals(new SpecProblem(file, "$", "malformed JSON at line 1, column 1: unexpected control character (code 127)"),
                onlyProblem(file));
    }

    @Test
    void readTreeNeitherValidatesNorBinds() throws Exception {
        Path file = SpecFixtures.write(dir, "config.json", "{\"process\": {\"args\": \"sh\"}, \"x\": 18446744073709551616}");
        JsonNode tree = reader.readTree(file);
        assertEquals("sh", tree.at("/process/args").asString());
        assertEquals(new java.math.BigInteger("18446744073709551616"), tree.get("x").bigIntegerValue());
    }

    @Test
    void readBundleReadsItsConfigJson() throws Exception {
        ObjectNode config = SpecFixtures.runcSpec();
        Path file = SpecFixtures.write(dir, "config.json", config);
        LoadedSpec loaded = reader.readBundle(dir);
        assertEquals(file, loaded.file());
        assertEquals(config, loaded.tree());
        assertEquals(List.of("sh"), loaded.spec().getProcess().getArgs());
    }

    @Test
    void processJsonIsCheckedAgainstTheProcessPartOfTheConfigSchema() throws Exception {
        JsonNode process = SpecFixtures.runcSpec().get("process");
        Path file = SpecFixtures.write(dir, "process.json", process);
        Process p = reader.readProcess(file);
        assertEquals(List.of("sh"), p.getArgs());
        assertEquals("/", p.getCwd());
        assertTrue(SpecFixtures.sameJson(process, SpecJson.tree(p)), "binds like a config's process");
    }

    @Test
    void processJsonProblemsArePathsInThatDocument() {
        ObjectNode process = (ObjectNode) SpecFixtures.runcSpec().get("process");
        process.put("args", "sh");
        process.remove("cwd");
        ((ObjectNode) process.get("user")).put("uid", -1);
        Path file = SpecFixtures.write(dir, "process.json", process);

        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> reader.readProcess(file));

        assertEquals(List.of(
                new SpecProblem(file, "$", "required property \"cwd\" is missing"),
                new SpecProblem(file, "$.user.uid", "-1 is out of range: expected an integer from 0 to 4294967295"),
                new SpecProblem(file, "$.args", "expected an array of strings, found a string")),
                e.problems());
    }
}
