package io.jsyd.oci.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CallerIdsTest {
    @Test
    void takesTheEffectiveIds() {
        String status = "Name:\tjava\nUmask:\t0022\nUid:\t1000\t2000\t3000\t4000\nGid:\t100\t200\t300\t400\nGroups:\t1 2\n";
        assertEquals(new CallerIds(2000, 200), CallerIds.parseStatus(status));
    }

    @Test
    void refusesAStatusWithoutIds() {
        assertThrows(IllegalArgumentException.class, () -> CallerIds.parseStatus("Name:\tjava\n"));
    }
}
