package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class GoDurationTest {
    @Test
    void readsGoSyntax() {
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("5s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(300), GoDuration.parse("300ms"));
        assertEquals(Duration.ofNanos(2_500), GoDuration.parse("2us500ns"));
        assertEquals(Duration.ofNanos(7_000), GoDuration.parse("7µs"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
        assertEquals(Duration.ofSeconds(-2), GoDuration.parse("-2s"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofNanos(1), GoDuration.parse("1.5ns"));
    }

    @Test
    void refusesWhatGoRefuses() {
        for (String bad : new String[] {"", "5", "s", "5x", "1m30", "5 s", "--5s", "9999999h"}) {
            assertThrows(TypeConversionException.class, () -> GoDuration.parse(bad), bad);
        }
    }
}
