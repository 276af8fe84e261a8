package org.modelpar.graph.zoo;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.CnnBuilder.T;

/**
 * The classic ImageNet CNNs with the topologies of torchvision's reference implementations: VGG-16
 * (Simonyan and Zisserman, ICLR 2015), ResNet-50 v1.5 (He et al., CVPR 2016; stride on the 3x3
 * convolution) and Inception-v3 (Szegedy et al., CVPR 2016; without the auxiliary classifier). 1000
 * classes; 224x224 inputs (299x299 for Inception-v3).
 */
final class Cnns {
    private static final int CLASSES = 1000;

    private Cnns() {
    }

    static ComputationGraph vgg16() {
        CnnBuilder b = new CnnBuilder();
        T x = b.input(3, 224, 224);
        int[][] stages = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        for (int s = 0; s < stages.length; s++) {
            String layer = "stage" + (s + 1);
            for (int i = 0; i < stages[s].length; i++) {
                String p = "conv" + (s + 1) + "_" + (i + 1);
                x = b.relu(p + ".relu", layer, b.conv(p, layer, x, stages[s][i], 3, 1, 1, true));
            }
            x = b.pool("pool" + (s + 1), "maxpool", layer, x, 2, 2, 0);
        }
        x = b.relu("fc6.relu", "fc6", b.linear("fc6", "fc6", x, 4096));
        x = b.relu("fc7.relu", "fc7", b.linear("fc7", "fc7", x, 4096));
        return b.finish("vgg16", b.linear("fc8", "head", x, CLASSES));
    }

    static ComputationGraph resnet50() {
        CnnBuilder b = new CnnBuilder();
        T x = b.input(3, 224, 224);
        x = b.relu("relu", "stem", b.batchnorm("bn1", "stem", b.conv("conv1", "stem", x, 64, 7, 2, 3, false)));
        x = b.pool("maxpool", "maxpool", "stem", x, 3, 2, 1);
        int[] blocks = {3, 4, 6, 3};
        for (int s = 0; s < blocks.length; s++) {
            long width = 64L << s;
            for (int i = 0; i < blocks[s]; i++) {
                x = bottleneck(b, "layer" + (s + 1) + "." + i, x, width, i == 0 && s > 0 ? 2 : 1, i == 0);
            }
        }
        x = b.globalAvgPool("avgpool", "head", x);
        return b.finish("resnet50", b.linear("fc", "head", x, CLASSES));
    }

    private static T bottleneck(CnnBuilder b, String p, T in, long width, int stride, boolean downsample) {
        T x = b.relu(p + ".relu1", p, b.batchnorm(p + ".bn1", p, b.conv(p + ".conv1", p, in, width, 1, 1, 0, false)));
        x = b.relu(p + ".relu2", p, b.batchnorm(p + ".bn2", p, b.conv(p + ".conv2", p, x, width, 3, stride, 1, false)));
        x = b.batchnorm(p + ".bn3", p, b.conv(p + ".conv3", p, x, 4 * width, 1, 1, 0, false));
        T shortcut = downsample
                ? b.batchnorm(p + ".downsample.1", p, b.conv(p + ".downsample.0", p, in, 4 * width, 1, stride, 0, false))
                : in;
        return b.relu(p + ".relu3", p, b.add(p + ".add", p, x, shortcut));
    }

    static ComputationGraph inceptionV3() {
        CnnBuilder b = new CnnBuilder();
        T x = b.input(3, 299, 299);
        x = basic(b, "Conv2d_1a_3x3", "stem", x, 32, 3, 3, 2, 0, 0);
        x = basic(b, "Conv2d_2a_3x3", "stem", x, 32, 3, 3, 1, 0, 0);
        x = basic(b, "Conv2d_2b_3x3", "stem", x, 64, 3, 3, 1, 1, 1);
        x = b.pool("maxpool1", "maxpool", "stem", x, 3, 2, 0);
        x = basic(b, "Conv2d_3b_1x1", "stem", x, 80, 1, 1, 1, 0, 0);
        x = basic(b, "Conv2d_4a_3x3", "stem", x, 192, 3, 3, 1, 0, 0);
        x = b.pool("maxpool2", "maxpool", "stem", x, 3, 2, 0);
        x = InceptionBlocks.a(b, "Mixed_5b", x, 32);
        x = InceptionBlocks.a(b, "Mixed_5c", x, 64);
        x = InceptionBlocks.a(b, "Mixed_5d", x, 64);
        x = InceptionBlocks.b(b, "Mixed_6a", x);
        x = InceptionBlocks.c(b, "Mixed_6b", x, 128);
        x = InceptionBlocks.c(b, "Mixed_6c", x, 160);
        x = InceptionBlocks.c(b, "Mixed_6d", x, 160);
        x = InceptionBlocks.c(b, "Mixed_6e", x, 192);
        x = InceptionBlocks.d(b, "Mixed_7a", x);
        x = InceptionBlocks.e(b, "Mixed_7b", x);
        x = InceptionBlocks.e(b, "Mixed_7c", x);
        x = b.globalAvgPool("avgpool", "head", x);
        return b.finish("inception-v3", b.linear("fc", "head", x, CLASSES));
    }

    /** torchvision's BasicConv2d: convolution without bias, batch norm, ReLU. */
    static T basic(CnnBuilder b, String id, String layer, T x, long cout, int kh, int kw, int stride, int padH, int padW) {
        T conv = b.conv(id + ".conv", layer, x, cout, kh, kw, stride, padH, padW, false);
        return b.relu(id + ".relu", layer, b.batchnorm(id + ".bn", layer, conv));
    }
}
