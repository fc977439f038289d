package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which mounts sit at a rootfs, bottom first, read from made-up mountinfo lines. */
class RuntimeNsMountsTest {
    private static String line(long id, long parent, String mountPoint) {
        return id + " " + parent + " 254:0 / " + mountPoint + " rw,relatime - ext4 /dev/vda rw";
    }

    @Test
    void aRootfsThatIsNoMountPointHasAnEmptyStack() {
        List<String> info = List.of(line(27, 1, "/"), line(40, 27, "/b/rootfs/proc"));
        assertEquals(List.of(), RuntimeNsMounts.stack(info, "/b/rootfs"));
    }

    @Test
    void stackedMountsAreListedBottomFirstWhateverTheirOrderInTheTable() {
        // the container's bind (60) on the image's overlay (50); a mount below the rootfs (61)
        // and a mount elsewhere at a longer path (70) are not part of the stack
        List<String> info = List.of(line(27, 1, "/"), line(60, 50, "/b/rootfs"), line(61, 60, "/b/rootfs/proc"),
                line(50, 27, "/b/rootfs"), line(70, 27, "/b/rootfs2"));
        assertEquals(List.of(50L, 60L), RuntimeNsMounts.stack(info, "/b/rootfs"));
    }

    @Test
    void anEscapedMountPointIsMatchedAsText() {
        List<String> info = List.of(line(27, 1, "/"), line(80, 27, "/b/my\\040root"));
        assertEquals(List.of(80L), RuntimeNsMounts.stack(info, "/b/my root"));
    }
}
