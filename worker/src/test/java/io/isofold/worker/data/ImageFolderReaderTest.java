package io.isofold.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.worker.BadTaskException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ImageFolderReaderTest {
    @TempDir
    Path dir;

    private static void write(Path file, int w, int h, int rgb, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
    }

    @Test
    void sortedFolderNamesAreTheLabelsAndColoursBecomeLuma() throws IOException {
        write(dir.resolve("zebra/a.png"), 4, 3, 0xFFFFFF, "png");
        write(dir.resolve("apple/b.png"), 4, 3, 0xFF0000, "png");
        write(dir.resolve("apple/c.PNG"), 4, 3, 0x000000, "png");
        write(dir.resolve("mango/d.bmp"), 4, 3, 0x00FF00, "bmp");
        Files.writeString(dir.resolve("mango/notes.txt"), "not an image, skipped");

        Dataset d = DatasetReader.read(dir);

        assertThat(ImageFolderReader.classNames(dir)).containsExactly("apple", "mango", "zebra");
        assertThat(d.size()).isEqualTo(4);
        assertThat(d.classes()).isEqualTo(3);
        assertThat(d.height()).isEqualTo(3);
        assertThat(d.width()).isEqualTo(4);
        assertThat(d.labels()).containsExactly(0, 0, 1, 2); // apple/b, apple/c, mango/d, zebra/a
        int n = d.imageSize();
        assertThat(d.pixels()[0]).isCloseTo(0.2989f, org.assertj.core.data.Offset.offset(1e-3f)); // red
        assertThat(d.pixels()[n]).isEqualTo(0f); // black
        assertThat(d.pixels()[2 * n]).isCloseTo(0.587f, org.assertj.core.data.Offset.offset(1e-3f)); // green
        assertThat(d.pixels()[3 * n]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-3f)); // white
    }

    @Test
    void readsJpeg() throws IOException {
        write(dir.resolve("a/x.jpg"), 8, 8, 0x808080, "jpg");
        write(dir.resolve("b/y.jpeg"), 8, 8, 0x202020, "jpg");

        Dataset d = ImageFolderReader.read(dir);

        assertThat(d.pixels()[0]).isCloseTo(128 / 255f, org.assertj.core.data.Offset.offset(0.02f));
        assertThat(d.labels()).containsExactly(0, 1);
    }

    @Test
    void imagesOfDifferentSizesAreABadTaskNamingBoth() throws IOException {
        write(dir.resolve("a/one.png"), 28, 28, 0, "png");
        write(dir.resolve("b/two.png"), 32, 28, 0, "png");

        assertThatThrownBy(() -> ImageFolderReader.read(dir))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("images differ in size")
                .hasMessageContaining("one.png is 28x28")
                .hasMessageContaining("two.png is 32x28");
    }

    @Test
    void aCorruptImageIsNamed() throws IOException {
        write(dir.resolve("a/one.png"), 4, 4, 0, "png");
        Files.createDirectories(dir.resolve("b"));
        byte[] png = Files.readAllBytes(dir.resolve("a/one.png"));
        Files.write(dir.resolve("b/broken.png"), java.util.Arrays.copyOf(png, 20));

        assertThatThrownBy(() -> ImageFolderReader.read(dir))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("broken.png");
    }

    @Test
    void foldersWithoutImagesAreABadTask() throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));

        assertThatThrownBy(() -> DatasetReader.read(dir))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("hold no images");
    }
}
