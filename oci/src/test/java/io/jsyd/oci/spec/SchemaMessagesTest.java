package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The runtime-spec schemas hardly use anyOf/oneOf/allOf today (the one anyOf sits
 * beside a $ref, which draft-04 lets win), so the rules for their noise are tested
 * on a small schema of the same shapes: one useful line per problem.
 */
class SchemaMessagesTest {
    private static final String DIR = "spec/schema-test/";

    private final Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(SchemaLocation.of(SchemaDocuments.iri(DIR, "combinators.json")));
    private final SchemaMessages messages = new SchemaMessages(new SchemaDocuments(DIR));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // document            | the lines, joined by " / "
        "{\"x\": 5}            | $.x: expected a string or an object, found an integer",
        "{\"x\": {}}           | $.x: required property \"k\" is missing",
        "{\"x\": {\"k\": 1}}   | $.x.k: expected a string, found an integer",
        "{\"y\": -1}           | $.y: -1 is out of range: expected an integer of at least 0",
        "{\"y\": [1]}          | $.y[0]: expected a string, found an integer",
        "{\"y\": \"s\"}        | $.y: expected an integer of at least 0 or an array of strings, found a string",
        "{\"w\": {}}           | $.w: required property \"k\" is missing",
        "{\"y\": \"s\", \"x\": 5, \"w\": 1} | $.y: expected an integer of at least 0 or an array of strings, found a string / $.x: expected a string or an object, found an integer / $.w: expected an object, found an integer",
    })
    void oneUsefulLinePerProblem(String document, String expected) {
        Path file = Path.of("doc.json");
        JsonNode tree = SpecJson.mapper().readTree(document);
        List<SpecProblem> problems = messages.translate(file, tree, schema.validate(tree));
        assertEquals(expected, String.join(" / ", problems.stream().map(p -> p.jsonPath() + ": " + p.message()).toList()));
    }
}
