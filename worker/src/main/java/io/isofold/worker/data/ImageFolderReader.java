package io.isofold.worker.data;

import io.isofold.worker.BadTaskException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads the layout Keras' {@code image_dataset_from_directory} reads: one sub-folder per class, the
 * sorted folder names giving the label ids, images converted to grayscale.
 */
public final class ImageFolderReader {
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFolderReader() {}

    /** True when {@code dir} has (non-hidden) sub-folders, which is how this layout looks; DatasetReader asks IDX first. */
    public static boolean looksLikeImageFolder(Path dir) {
        return !classFolders(dir).isEmpty();
    }

    public static Dataset read(Path dir) {
        List<Path> classes = classFolders(dir);
        if (classes.isEmpty()) {
            throw new BadTaskException(dir + " has no class sub-folders");
        }
        record Item(Path file, int label) {}
        List<Item> items = new java.util.ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (Path f : imagesIn(classes.get(c))) {
                items.add(new Item(f, c));
            }
        }
        if (items.isEmpty()) {
            throw new BadTaskException("the class folders of " + dir + " hold no images (" + EXTENSIONS + ")");
        }
        int height = -1;
        int width = -1;
        Path first = null;
        float[] pixels = null;
        int[] labels = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Path file = items.get(i).file();
            BufferedImage image = decode(file);
            if (first == null) {
                first = file;
                height = image.getHeight();
                width = image.getWidth();
                pixels = new float[items.size() * height * width];
            } else if (image.getHeight() != height || image.getWidth() != width) {
                throw new BadTaskException("images differ in size: " + dir.relativize(first) + " is " + width + "x"
                        + height + ", " + dir.relativize(file) + " is " + image.getWidth() + "x" + image.getHeight());
            }
            toGray(image, pixels, i * height * width);
            labels[i] = items.get(i).label();
        }
        return new Dataset(height, width, 1, pixels, labels, classes.size());
    }

    /** The class names in label order. */
    public static List<String> classNames(Path dir) {
        return classFolders(dir).stream().map(p -> p.getFileName().toString()).toList();
    }

    private static BufferedImage decode(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new BadTaskException(file + " is not an image this worker can decode");
            }
            return image;
        } catch (IOException e) {
            throw new BadTaskException("cannot decode image " + file + ": " + e.getMessage());
        }
    }

    /**
     * ITU-R 601 luma, as tf.image.rgb_to_grayscale computes it; Java's own conversion to TYPE_BYTE_GRAY would
     * go through a linear colour space and give other values than the Python tools users compare with.
     */
    private static void toGray(BufferedImage image, float[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            double y = 0.2989 * ((p >> 16) & 0xFF) + 0.5870 * ((p >> 8) & 0xFF) + 0.1140 * (p & 0xFF);
            out[offset + i] = (float) (Math.min(255.0, y) / 255.0);
        }
    }

    private static List<Path> classFolders(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadTaskException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static List<Path> imagesIn(Path classDir) {
        try (Stream<Path> files = Files.walk(classDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        int dot = n.lastIndexOf('.');
                        return !n.startsWith(".") && dot >= 0 && EXTENSIONS.contains(n.substring(dot + 1));
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadTaskException("cannot list " + classDir + ": " + e.getMessage());
        }
    }
}
