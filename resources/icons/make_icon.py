"""Draws the ArtSeek icon (artseek.png 256 px, artseek-512.png, artseek.ico). Run from the repository root:

    .venv/bin/python resources/icons/make_icon.py
"""

from PIL import Image, ImageDraw
S = 1024
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
# background: vertical gradient in a rounded square
grad = Image.new("RGBA", (S, S))
gd = ImageDraw.Draw(grad)
top, bot = (36, 124, 152), (16, 66, 86)
for y in range(S):
    t = y / (S - 1)
    gd.line([(0, y), (S, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bot)) + (255,))
mask = Image.new("L", (S, S), 0)
ImageDraw.Draw(mask).rounded_rectangle([40, 40, S - 40, S - 40], radius=210, fill=255)
img.paste(grad, (0, 0), mask)
d = ImageDraw.Draw(img)
# picture frame
d.rounded_rectangle([190, 220, 720, 650], radius=28, fill=(250, 247, 240, 255))
d.rounded_rectangle([235, 265, 675, 605], radius=12, fill=(214, 232, 238, 255))
# landscape in the frame: sun and two hills
d.ellipse([540, 300, 620, 380], fill=(240, 180, 41, 255))
d.polygon([(235, 605), (390, 400), (520, 605)], fill=(31, 111, 139, 255))
d.polygon([(400, 605), (545, 455), (675, 560), (675, 605)], fill=(19, 72, 92, 255))
# magnifier
cx, cy, r = 650, 640, 165
d.line([(cx + 105, cy + 105), (cx + 245, cy + 245)], fill=(240, 180, 41, 255), width=88)
d.ellipse([cx - r - 10, cy - r - 10, cx + r + 10, cy + r + 10], fill=(16, 66, 86, 255))
d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(240, 180, 41, 255))
d.ellipse([cx - r + 48, cy - r + 48, cx + r - 48, cy + r - 48], fill=(255, 250, 235, 235))
d.arc([cx - r + 80, cy - r + 80, cx + r - 80, cy + r - 80], 200, 260, fill=(255, 255, 255, 255), width=22)
icon = img.resize((256, 256), Image.LANCZOS)
icon.save("resources/icons/artseek.png", optimize=True)
img.resize((512, 512), Image.LANCZOS).save("resources/icons/artseek-512.png", optimize=True)
icon.save("resources/icons/artseek.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
