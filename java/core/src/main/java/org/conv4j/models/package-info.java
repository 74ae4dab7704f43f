/**
 * Reference architectures with torchvision 0.14's exact structure and state_dict names: {@link
 * org.conv4j.models.LeNet5}, {@link org.conv4j.models.AlexNet}, {@link org.conv4j.models.Vgg} (11/13/16/19, with and
 * without BatchNorm), {@link org.conv4j.models.ResNet} (18/34/50), {@link org.conv4j.models.MobileNetV2}. Each
 * factory returns a {@link org.conv4j.nn.Network}; {@code network.random(seed)} gives deterministic weights,
 * {@code network.load(path)} a torchvision state dict saved as safetensors.
 */
package org.conv4j.models;
