package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.oci.cli.RunLog.Level;
import io.jsyd.oci.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class RunLogTest {
    private static final OffsetDateTime UTC = OffsetDateTime.parse("2026-01-02T03:04:05.999Z");
    private static final OffsetDateTime BERLIN = OffsetDateTime.parse("2026-07-02T03:04:05.5+02:00");

    @Test
    void jsonLinesHaveLogrusKeysInOrderAndRfc3339Seconds() {
        assertEquals("{\"level\":\"error\",\"msg\":\"boom\",\"time\":\"2026-01-02T03:04:05Z\"}",
                RunLog.line(LogFormat.JSON, Level.ERROR, "boom", UTC));
        assertEquals("{\"level\":\"warning\",\"msg\":\"x\",\"time\":\"2026-07-02T03:04:05+02:00\"}",
                RunLog.line(LogFormat.JSON, Level.WARNING, "x", BERLIN));
    }

    @Test
    void jsonEscapingRoundTripsThroughAJsonParser() {
        String nasty = "quote \" backslash \\ newline\n tab\t bell\u0007 <html> & ünïcödé";
        String line = RunLog.line(LogFormat.JSON, Level.ERROR, nasty, UTC);
        JsonNode node = SpecJson.mapper().readTree(line);
        assertEquals(nasty, node.get("msg").asString());
        assertEquals("error", node.get("level").asString());
        assertEquals(3, node.size());
    }

    @Test
    void textLinesQuoteOnlyWhatLogrusQuotes() {
        assertEquals("time=\"2026-01-02T03:04:05Z\" level=error msg=\"File config.json exists. Remove it first\"",
                RunLog.line(LogFormat.TEXT, Level.ERROR, "File config.json exists. Remove it first", UTC));
        assertEquals("time=\"2026-01-02T03:04:05Z\" level=info msg=started",
                RunLog.line(LogFormat.TEXT, Level.INFO, "started", UTC));
        assertEquals("a/b@c^d+e-f.g_h", RunLog.textValue("a/b@c^d+e-f.g_h"));
        assertEquals("", RunLog.textValue(""));
        assertEquals("\"two\\nlines \\\"q\\\" \\x01\"", RunLog.textValue("two\nlines \"q\" \u0001"));
    }

    @Test
    void writesAppendAndOffWritesNothing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("log.json");
        RunLog log = RunLog.to(file, LogFormat.JSON, Cli.CLOCK);
        log.error("one");
        log.write(Level.DEBUG, "two");
        assertEquals(List.of("{\"level\":\"error\",\"msg\":\"one\",\"time\":\"2026-01-02T03:04:05Z\"}",
                "{\"level\":\"debug\",\"msg\":\"two\",\"time\":\"2026-01-02T03:04:05Z\"}"), Files.readAllLines(file));
        RunLog.off().error("nowhere");
        assertEquals(List.of(file), Files.list(dir).toList());
    }
}
