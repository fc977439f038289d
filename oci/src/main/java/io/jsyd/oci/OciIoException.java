package io.jsyd.oci;

import java.io.IOException;
import java.nio.file.Path;

/** A file the runtime had to read or write and could not, named with the operation. */
public final class OciIoException extends OciException {
    public OciIoException(String operation, Path path, IOException cause) {
        super(operation + " " + path + ": " + describe(cause), cause);
    }

    private static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "NoSuchFileException" -> "no such file or directory";
            case "AccessDeniedException" -> "permission denied";
            case "NotDirectoryException" -> "not a directory";
            case "FileAlreadyExistsException" -> "file exists";
            default -> e.getMessage() == null ? name : e.getMessage();
        };
    }
}
