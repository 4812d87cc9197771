package io.isofold.worker.data;

import io.isofold.worker.BadTaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Chooses the reader for a dataset path by what the path holds. */
public final class DatasetReader {
    private DatasetReader() {}

    public static Dataset read(Path path) {
        if (!Files.exists(path)) {
            throw new BadTaskException("dataset " + path + " does not exist");
        }
        if (Files.isDirectory(path)) {
            if (IdxReader.looksLikeIdxDirectory(path)) {
                return IdxReader.readDirectory(path);
            }
            if (ImageFolderReader.looksLikeImageFolder(path)) {
                return ImageFolderReader.read(path);
            }
            throw new BadTaskException("dataset folder " + path
                    + " holds neither IDX files (train-images-idx3-ubyte[.gz]) nor one sub-folder of images per class");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return CsvReader.read(path);
        }
        if (name.contains("idx") || name.contains("ubyte")) {
            return IdxReader.read(path);
        }
        throw new BadTaskException("cannot tell the format of dataset " + path
                + " (expected an IDX images file, a .csv file, or a folder)");
    }
}
