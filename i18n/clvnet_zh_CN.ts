<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>@default</name>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>PyTorch runs the neural network.</source>
        <translation>PyTorch 用于运行神经网络。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Transformers provides the language model that writes the caption.</source>
        <translation>Transformers 提供生成描述文字的语言模型。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Segment Anything provides the image encoder and the mask decoder.</source>
        <translation>Segment Anything 提供图像编码器和掩膜解码器。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Rasterio reads windows of raster files through GDAL.</source>
        <translation>Rasterio 通过 GDAL 读取栅格文件的窗口。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Shapely turns the masks into polygons.</source>
        <translation>Shapely 将掩膜转换为多边形。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="174"/>
        <source>CLV-Net needs more Python packages</source>
        <translation>CLV-Net 需要更多 Python 包</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>CLV-Net cannot run its model because these Python packages are missing:</source>
        <translation>CLV-Net 无法运行其模型，因为缺少以下 Python 包：</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>Install them into a folder the plugin manages, outside the plugin folder:</source>
        <translation>将它们安装到由插件管理、位于插件文件夹之外的文件夹中：</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>QGIS keeps its own numpy; the rest of QGIS is not changed.</source>
        <translation>QGIS 保留其自带的 numpy；QGIS 的其余部分不会改变。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>This command does it for the Python of this QGIS:</source>
        <translation>以下命令使用本 QGIS 的 Python 完成安装：</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="201"/>
        <source>pip&apos;s output appears here.</source>
        <translation>pip 的输出显示在这里。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="202"/>
        <source>Packages for a GPU are large (several GB); the download can take a while.</source>
        <translation>GPU 版本的包很大（数 GB），下载可能需要一些时间。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="208"/>
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="211"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="225"/>
        <source>Installing... QGIS stays usable meanwhile.</source>
        <translation>正在安装……在此期间 QGIS 仍可使用。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="251"/>
        <source>Could not start {python}; run the command above in a terminal.</source>
        <translation>无法启动 {python}；请在终端中运行上面的命令。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="263"/>
        <source>Installed. Draw a box again to use CLV-Net.</source>
        <translation>安装完成。请再次绘制方框以使用 CLV-Net。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="264"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="269"/>
        <source>pip failed (exit code {code}); see its output above.</source>
        <translation>pip 失败（退出码 {code}）；请查看上方的输出。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="69"/>
        <source>The export file &apos;{path}&apos; must end in .gpkg, .shp or .geojson.</source>
        <translation>导出文件“{path}”的扩展名必须是 .gpkg、.shp 或 .geojson。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="261"/>
        <source>There are no CLV-Net results to export yet.</source>
        <translation>目前还没有可导出的 CLV-Net 结果。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="105"/>
        <source>Cannot write to &apos;{folder}&apos;: the folder is missing or not writable.</source>
        <translation>无法写入“{folder}”：文件夹不存在或不可写。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="141"/>
        <source>Cannot write &apos;{path}&apos;: {reason}</source>
        <translation>无法写入“{path}”：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="146"/>
        <source>Shapefile text is limited to 254 characters: {n} &apos;{field}&apos; values of {layer} were cut.</source>
        <translation>Shapefile 文本最多 254 个字符：{layer} 中有 {n} 个“{field}”值被截断。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="159"/>
        <source>Shapefile field names have at most 10 characters: &apos;{name}&apos; becomes &apos;{short}&apos;.</source>
        <translation>Shapefile 字段名最多 10 个字符：“{name}”变为“{short}”。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="172"/>
        <source>Export CLV-Net results</source>
        <translation>导出 CLV-Net 结果</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="175"/>
        <source>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</source>
        <translation>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="184"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="185"/>
        <source>CRS</source>
        <translation>坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="87"/>
        <source>Add a raster layer and choose it in the CLV-Net panel first.</source>
        <translation>请先添加一个栅格图层，并在 CLV-Net 面板中选择它。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="90"/>
        <source>&apos;{name}&apos; is not a raster layer; choose a raster layer in the CLV-Net panel.</source>
        <translation>“{name}”不是栅格图层；请在 CLV-Net 面板中选择一个栅格图层。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="114"/>
        <source>Drag a box over the raster; a click alone does not make one.</source>
        <translation>请在栅格上拖出一个方框；单击不会生成方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="122"/>
        <source>The box cannot be transformed to the CRS of &apos;{name}&apos;.</source>
        <translation>无法将方框转换到“{name}”的坐标参考系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="129"/>
        <source>The box lies outside the raster &apos;{name}&apos;.</source>
        <translation>方框位于栅格“{name}”之外。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="110"/>
        <source>CLV-Net</source>
        <translation>CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="118"/>
        <source>The raster layer the box tool reads</source>
        <translation>方框工具读取的栅格图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="138"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="152"/>
        <source>Pick the box tool and drag a box over the raster.</source>
        <translation>选择方框工具，然后在栅格上拖出一个方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="82"/>
        <source>Raster layer</source>
        <translation>栅格图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="167"/>
        <source>Caption</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="122"/>
        <source>Relations</source>
        <translation>关系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="171"/>
        <source>Boxes of this session</source>
        <translation>本次会话的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="194"/>
        <source>Model {model} loaded on {device} (checkpoint {checkpoint}).</source>
        <translation>模型 {model} 已加载到 {device}（检查点 {checkpoint}）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="198"/>
        <source>Loading the model (checkpoint {checkpoint})...</source>
        <translation>正在加载模型（检查点 {checkpoint}）……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="58"/>
        <source>bundled default</source>
        <translation>内置默认</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="202"/>
        <source>Model not loaded yet (checkpoint {checkpoint}, device {device}); it loads on first use.</source>
        <translation>模型尚未加载（检查点 {checkpoint}，设备 {device}）；首次使用时加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="250"/>
        <source>{subject} - {predicate} - {object} ({score:.2f})</source>
        <translation>{subject} - {predicate} - {object}（{score:.2f}）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="250"/>
        <source>object {n}</source>
        <translation>对象 {n}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="150"/>
        <source>QGIS could not draw the layer &apos;{name}&apos;: {reason}</source>
        <translation>QGIS 无法绘制图层“{name}”：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="166"/>
        <source>The layer &apos;{name}&apos; shows nothing in this box.</source>
        <translation>图层“{name}”在此方框内没有任何显示内容。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="67"/>
        <source>Describe a box</source>
        <translation>描述方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="70"/>
        <source>Drag a box on a raster to caption and segment it</source>
        <translation>在栅格上拖出方框，对其进行描述和分割</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="71"/>
        <source>Results panel</source>
        <translation>结果面板</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="77"/>
        <source>Remove the last result</source>
        <translation>删除最后一个结果</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="82"/>
        <source>Export results...</source>
        <translation>导出结果……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="87"/>
        <source>Settings...</source>
        <translation>设置……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="90"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="175"/>
        <source>CLV-Net needs the Python packages listed in the dialog; QGIS works as before.</source>
        <translation>CLV-Net 需要对话框中列出的 Python 包；QGIS 照常工作。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="204"/>
        <source>Waiting for the model...</source>
        <translation>正在等待模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="212"/>
        <source>The layer &apos;{name}&apos; was removed; its result was not added.</source>
        <translation>图层“{name}”已被移除；其结果未被添加。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="226"/>
        <source>Results are in temporary memory layers of the &apos;CLV-Net&apos; group; export or save them to keep them.</source>
        <translation>结果保存在“CLV-Net”组的临时内存图层中；如需保留，请导出或保存它们。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="234"/>
        <source>The model described the box but found no object polygon in it.</source>
        <translation>模型描述了该方框，但没有在其中找到对象多边形。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="244"/>
        <source>The request was cancelled.</source>
        <translation>请求已取消。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="253"/>
        <source>There is no CLV-Net result to remove.</source>
        <translation>没有可删除的 CLV-Net 结果。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="256"/>
        <source>Removed box #{box_id}.</source>
        <translation>已删除方框 #{box_id}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="270"/>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="289"/>
        <source>Choose a raster layer in the CLV-Net panel, pick the box tool and drag a box. CLV-Net writes a caption of the box in its surroundings, draws one polygon per object the caption names and lists the relations between them.</source>
        <translation>在 CLV-Net 面板中选择一个栅格图层，选择方框工具并拖出一个方框。CLV-Net 会结合周围环境为方框撰写描述，为描述中提到的每个对象绘制一个多边形，并列出它们之间的关系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="294"/>
        <source>Esc or a right click cancels a box. Results go to memory layers in the &apos;CLV-Net&apos; group; export them as GeoPackage, Shapefile or GeoJSON. The Processing toolbox has the same model for many boxes at once.</source>
        <translation>按 Esc 或单击右键可取消方框。结果保存在“CLV-Net”组的内存图层中；可将其导出为 GeoPackage、Shapefile 或 GeoJSON。处理工具箱中提供同一模型，可一次处理多个方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="301"/>
        <source>CLV-Net help</source>
        <translation>CLV-Net 帮助</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="33"/>
        <source>CLV-Net settings</source>
        <translation>CLV-Net 设置</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="38"/>
        <source>bundled default model</source>
        <translation>内置默认模型</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="39"/>
        <source>A checkpoint folder (config.json, model.safetensors, tokenizer.json)</source>
        <translation>检查点文件夹（config.json、model.safetensors、tokenizer.json）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="54"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="44"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="56"/>
        <source>Half precision is used on a GPU only</source>
        <translation>半精度仅在 GPU 上使用</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="62"/>
        <source>Margin around the box, as a fraction of its longer side</source>
        <translation>方框周围的边距，以其长边的比例表示</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="67"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="79"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="73"/>
        <source>Polygon parts smaller than this are dropped</source>
        <translation>小于此值的多边形部分将被丢弃</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>R</source>
        <translation>红</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>G</source>
        <translation>绿</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>B</source>
        <translation>蓝</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="93"/>
        <source>Raster CRS</source>
        <translation>栅格坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>Checkpoint folder</source>
        <translation>检查点文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="94"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="103"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="104"/>
        <source>Context margin</source>
        <translation>上下文边距</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="105"/>
        <source>Maximum caption length</source>
        <translation>最大描述长度</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="106"/>
        <source>Minimum object area</source>
        <translation>最小对象面积</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="107"/>
        <source>Simplification tolerance</source>
        <translation>简化容差</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="108"/>
        <source>RGB bands</source>
        <translation>RGB 波段</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="109"/>
        <source>Output CRS</source>
        <translation>输出坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="97"/>
        <source>Loading the model...</source>
        <translation>正在加载模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="99"/>
        <source>The model is not loaded.</source>
        <translation>模型未加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="101"/>
        <source>Reading the pixels...</source>
        <translation>正在读取像素……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="105"/>
        <source>Describing the box...</source>
        <translation>正在描述方框……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="123"/>
        <source>CLV-Net failed: {error}. Details are in the QGIS log.</source>
        <translation>CLV-Net 失败：{error}。详细信息见 QGIS 日志。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="159"/>
        <source>Could not load the checkpoint {name}: {reason}</source>
        <translation>无法加载检查点 {name}：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="185"/>
        <source>The device {device} is not available here; CLV-Net uses the CPU.</source>
        <translation>此处没有设备 {device}；CLV-Net 改用 CPU。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="201"/>
        <source>The Python package &apos;{name}&apos; that the model needs cannot be imported; use the CLV-Net box tool again to install it.</source>
        <translation>无法导入模型所需的 Python 包“{name}”；请再次使用 CLV-Net 方框工具来安装它。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="333"/>
        <source>The model {name} stays loaded.</source>
        <translation>模型 {name} 仍保持加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="377"/>
        <source>The layer &apos;{name}&apos; was removed while CLV-Net worked on it; its request was cancelled.</source>
        <translation>CLV-Net 处理图层“{name}”时该图层被移除；其请求已取消。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="76"/>
        <source>clvnet,segmentation,caption,grounded,describe,relations,ai,deep learning,sam</source>
        <translation>clvnet,分割,描述,定位,说明,关系,人工智能,深度学习,sam</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="86"/>
        <source>Checkpoint folder (empty: the bundled model)</source>
        <translation>检查点文件夹（留空：使用内置模型）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="103"/>
        <source>Context margin (fraction of the box&apos;s longer side)</source>
        <translation>上下文边距（方框长边的比例）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="115"/>
        <source>Objects</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="131"/>
        <source>Boxes with captions</source>
        <translation>带描述的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Boxes described</source>
        <translation>已描述的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Boxes skipped</source>
        <translation>已跳过的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Objects found</source>
        <translation>找到的对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="194"/>
        <source>Shapefile output: texts longer than 254 bytes were truncated; use a GeoPackage to keep them whole.</source>
        <translation>Shapefile 输出：超过 254 字节的文本已被截断；如需完整保留，请使用 GeoPackage。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="200"/>
        <source>{0} boxes described, {1} skipped, {2} objects found.</source>
        <translation>已描述 {0} 个方框，跳过 {1} 个，找到 {2} 个对象。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="206"/>
        <source>None of the {0} boxes could be described on the raster layer &apos;{1}&apos;; check that they overlap it (and the box layer&apos;s CRS).</source>
        <translation>{0} 个方框均无法在栅格图层“{1}”上描述；请检查它们是否与该图层重叠（以及方框图层的坐标参考系）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="290"/>
        <source>Loading the CLV-Net model…</source>
        <translation>正在加载 CLV-Net 模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="295"/>
        <source>CUDA is not available here; running on the CPU.</source>
        <translation>此处 CUDA 不可用；改用 CPU 运行。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="299"/>
        <source>CLV-Net needs the Python packages torch, transformers, segment_anything and rasterio in QGIS&apos;s Python ({0}); install them with the plugin&apos;s dependency dialog, or add the folder that holds them to PYTHONPATH.</source>
        <translation>CLV-Net 需要 QGIS 的 Python（{0}）中安装 torch、transformers、segment_anything 和 rasterio 这些 Python 包；请通过插件的依赖对话框安装，或将包含它们的文件夹加入 PYTHONPATH。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="308"/>
        <source>Model {0} ({1}) on {2}.</source>
        <translation>模型 {0}（{1}）运行于 {2}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="313"/>
        <source>Describing boxes…</source>
        <translation>正在描述方框……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="319"/>
        <source>Box {0}: {1}</source>
        <translation>方框 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prompts.py" line="34"/>
        <source>Box {0} skipped: {1}</source>
        <translation>已跳过方框 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/provider.py" line="28"/>
        <source>CLV-Net grounded captions and segmentation</source>
        <translation>CLV-Net 定位描述与分割</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="41"/>
        <source>Segment and describe boxes</source>
        <translation>分割并描述方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="45"/>
        <source>Runs CLV-Net on the extent of every feature of a box layer: for each box it writes a grounded caption, one polygon per grounded phrase and the relations between those objects.

Boxes in another CRS than the raster&apos;s are reprojected; boxes outside the raster, and empty geometries, are skipped and counted in the log. ID field: a field of the box layer copied to every output, to join results back to the boxes.

Checkpoint: a CLV-Net checkpoint folder (empty: the bundled model). Device: auto uses a GPU when one is available. Context margin: how much of the surroundings the model sees around each box, as a fraction of its longer side.</source>
        <translation>对方框图层中每个要素的范围运行 CLV-Net：为每个方框撰写定位描述，为每个定位短语生成一个多边形，并给出这些对象之间的关系。

坐标参考系与栅格不同的方框会被重投影；位于栅格之外的方框和空几何会被跳过，并在日志中计数。ID 字段：方框图层中的一个字段，会复制到每个输出中，以便将结果关联回方框。

检查点：CLV-Net 检查点文件夹（留空：使用内置模型）。设备：auto 在有 GPU 时使用 GPU。上下文边距：模型在每个方框周围看到的环境范围，以方框长边的比例表示。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="60"/>
        <source>Box layer</source>
        <translation>方框图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="67"/>
        <source>ID field to carry to the outputs</source>
        <translation>传递到输出的 ID 字段</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="91"/>
        <source>The box layer has no field named &apos;{0}&apos;.</source>
        <translation>方框图层中没有名为“{0}”的字段。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="98"/>
        <source>The box layer has no features: there is nothing to describe.</source>
        <translation>方框图层没有要素：没有可描述的内容。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="118"/>
        <source>The box layer or the raster has no CRS: box coordinates are taken as raster coordinates.</source>
        <translation>方框图层或栅格没有坐标参考系：方框坐标将按栅格坐标处理。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="140"/>
        <source>the feature has no geometry.</source>
        <translation>该要素没有几何图形。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="151"/>
        <source>it cannot be transformed to the raster&apos;s CRS.</source>
        <translation>无法将其转换到栅格的坐标参考系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="158"/>
        <source>its extent has no area (a point or a straight line).</source>
        <translation>其范围没有面积（一个点或一条直线）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="164"/>
        <source>it lies outside the raster.</source>
        <translation>它位于栅格之外。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="31"/>
        <source>Segment and describe extent</source>
        <translation>分割并描述范围</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="35"/>
        <source>Runs CLV-Net on one extent of a raster: writes its grounded caption, one polygon per grounded phrase and the relations between those objects (box_id 1).

The extent may be in any CRS (e.g. &apos;xmin,xmax,ymin,ymax [EPSG:4326]&apos;); without one it is taken in the project&apos;s CRS, or the raster&apos;s when there is no project.</source>
        <translation>对栅格的一个范围运行 CLV-Net：撰写其定位描述，为每个定位短语生成一个多边形，并给出这些对象之间的关系（box_id 为 1）。

范围可以使用任意坐标参考系（例如 'xmin,xmax,ymin,ymax [EPSG:4326]'）；未指定时，按项目的坐标参考系处理；没有项目时按栅格的坐标参考系处理。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="45"/>
        <source>Box extent</source>
        <translation>方框范围</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="63"/>
        <source>The extent has no area.</source>
        <translation>该范围没有面积。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="65"/>
        <source>The extent does not overlap the raster layer &apos;{0}&apos;.</source>
        <translation>该范围与栅格图层“{0}”不重叠。</translation>
    </message>
</context>
</TS>
