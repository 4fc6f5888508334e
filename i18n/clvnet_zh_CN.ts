<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>@default</name>
    <message>
        <location filename="../clvnet_qgis/export.py" line="69"/>
        <source>The export file &apos;{path}&apos; must end in .gpkg, .shp or .geojson.</source>
        <translation>导出文件“{path}”的扩展名必须是 .gpkg、.shp 或 .geojson。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="294"/>
        <source>There are no CLV-Net results to export yet.</source>
        <translation>目前还没有可导出的 CLV-Net 结果。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="122"/>
        <source>Cannot write to &apos;{folder}&apos;: the folder is missing or not writable.</source>
        <translation>无法写入“{folder}”：文件夹不存在或不可写。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="158"/>
        <source>Cannot write &apos;{path}&apos;: {reason}</source>
        <translation>无法写入“{path}”：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="163"/>
        <source>Shapefile text is limited to 254 characters: {n} &apos;{field}&apos; values of {layer} were cut.</source>
        <translation>Shapefile 文本最多 254 个字符：{layer} 中有 {n} 个“{field}”值被截断。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="176"/>
        <source>Shapefile field names have at most 10 characters: &apos;{name}&apos; becomes &apos;{short}&apos;.</source>
        <translation>Shapefile 字段名最多 10 个字符：“{name}”变为“{short}”。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="189"/>
        <source>Export CLV-Net results</source>
        <translation>导出 CLV-Net 结果</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="192"/>
        <source>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</source>
        <translation>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="201"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="202"/>
        <source>CRS</source>
        <translation>坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="88"/>
        <source>Add a raster layer and choose it in the CLV-Net panel first.</source>
        <translation>请先添加一个栅格图层，并在 CLV-Net 面板中选择它。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="91"/>
        <source>&apos;{name}&apos; is not a raster layer; choose a raster layer in the CLV-Net panel.</source>
        <translation>“{name}”不是栅格图层；请在 CLV-Net 面板中选择一个栅格图层。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="127"/>
        <source>Drag a box over the raster; a click alone does not make one.</source>
        <translation>请在栅格上拖出一个方框；单击不会生成方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="134"/>
        <source>The box cannot be transformed to the CRS of &apos;{name}&apos;.</source>
        <translation>无法将方框转换到“{name}”的坐标参考系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="138"/>
        <source>The box lies outside the raster &apos;{name}&apos;.</source>
        <translation>方框位于栅格“{name}”之外。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="124"/>
        <source>CLV-Net</source>
        <translation>CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="132"/>
        <source>The raster layer the box tool reads</source>
        <translation>方框工具读取的栅格图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="153"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="167"/>
        <source>Pick the box tool and drag a box over the raster.</source>
        <translation>选择方框工具，然后在栅格上拖出一个方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="84"/>
        <source>Raster layer</source>
        <translation>栅格图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="182"/>
        <source>Caption</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="136"/>
        <source>Relations</source>
        <translation>关系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="186"/>
        <source>Boxes of this session</source>
        <translation>本次会话的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="210"/>
        <source>Model {model} loaded on {device} (checkpoint {checkpoint}).</source>
        <translation>模型 {model} 已加载到 {device}（检查点 {checkpoint}）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="221"/>
        <source>Loading the model (checkpoint {checkpoint})...</source>
        <translation>正在加载模型（检查点 {checkpoint}）……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="76"/>
        <source>bundled default</source>
        <translation>内置默认</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="225"/>
        <source>Model not loaded yet (checkpoint {checkpoint}, device {device}); it loads on first use.</source>
        <translation>模型尚未加载（检查点 {checkpoint}，设备 {device}）；首次使用时加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="278"/>
        <source>{subject} - {predicate} - {object} ({score:.2f})</source>
        <translation>{subject} - {predicate} - {object}（{score:.2f}）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="278"/>
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
        <location filename="../clvnet_qgis/plugin.py" line="69"/>
        <source>Describe a box</source>
        <translation>描述方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="72"/>
        <source>Drag a box on a raster to caption and segment it</source>
        <translation>在栅格上拖出方框，对其进行描述和分割</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="73"/>
        <source>Results panel</source>
        <translation>结果面板</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="79"/>
        <source>Remove the last result</source>
        <translation>删除最后一个结果</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="84"/>
        <source>Export results...</source>
        <translation>导出结果……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="89"/>
        <source>Settings...</source>
        <translation>设置……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="92"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="212"/>
        <source>Waiting for the model...</source>
        <translation>正在等待模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="220"/>
        <source>The layer &apos;{name}&apos; was removed; its result was not added.</source>
        <translation>图层“{name}”已被移除；其结果未被添加。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="234"/>
        <source>Results are in temporary memory layers of the &apos;CLV-Net&apos; group; export or save them to keep them.</source>
        <translation>结果保存在“CLV-Net”组的临时内存图层中；如需保留，请导出或保存它们。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="255"/>
        <source>The model described the box but found no object polygon in it.</source>
        <translation>模型描述了该方框，但没有在其中找到对象多边形。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="271"/>
        <source>The request was cancelled.</source>
        <translation>请求已取消。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="286"/>
        <source>There is no CLV-Net result to remove.</source>
        <translation>没有可删除的 CLV-Net 结果。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="289"/>
        <source>Removed box #{box_id}.</source>
        <translation>已删除方框 #{box_id}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="369"/>
        <source>Choose a raster layer in the CLV-Net panel, pick the box tool and drag a box. CLV-Net writes a caption of the box in its surroundings, draws one polygon per object the caption names and lists the relations between them.</source>
        <translation>在 CLV-Net 面板中选择一个栅格图层，选择方框工具并拖出一个方框。CLV-Net 会结合周围环境为方框撰写描述，为描述中提到的每个对象绘制一个多边形，并列出它们之间的关系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="374"/>
        <source>Esc or a right click cancels a box. Results go to memory layers in the &apos;CLV-Net&apos; group; export them as GeoPackage, Shapefile or GeoJSON. The Processing toolbox has the same model for many boxes at once.</source>
        <translation>按 Esc 或单击右键可取消方框。结果保存在“CLV-Net”组的内存图层中；可将其导出为 GeoPackage、Shapefile 或 GeoJSON。处理工具箱中提供同一模型，可一次处理多个方框。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="381"/>
        <source>CLV-Net help</source>
        <translation>CLV-Net 帮助</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="45"/>
        <source>CLV-Net settings</source>
        <translation>CLV-Net 设置</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="50"/>
        <source>bundled default model</source>
        <translation>内置默认模型</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="51"/>
        <source>A checkpoint folder (config.json, model.safetensors, tokenizer.json)</source>
        <translation>检查点文件夹（config.json、model.safetensors、tokenizer.json）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="66"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="56"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="68"/>
        <source>Half precision is used on a GPU only</source>
        <translation>半精度仅在 GPU 上使用</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="74"/>
        <source>Margin around the box, as a fraction of its longer side</source>
        <translation>方框周围的边距，以其长边的比例表示</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="79"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="91"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="85"/>
        <source>Polygon parts smaller than this are dropped</source>
        <translation>小于此值的多边形部分将被丢弃</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>R</source>
        <translation>红</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>G</source>
        <translation>绿</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>B</source>
        <translation>蓝</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="111"/>
        <source>Raster CRS</source>
        <translation>栅格坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="157"/>
        <source>Checkpoint folder</source>
        <translation>检查点文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="58"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="159"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="160"/>
        <source>Context margin</source>
        <translation>上下文边距</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="161"/>
        <source>Maximum caption length</source>
        <translation>最大描述长度</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="162"/>
        <source>Minimum object area</source>
        <translation>最小对象面积</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="163"/>
        <source>Simplification tolerance</source>
        <translation>简化容差</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="165"/>
        <source>RGB bands</source>
        <translation>RGB 波段</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="166"/>
        <source>Output CRS</source>
        <translation>输出坐标参考系</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="133"/>
        <source>Loading the model...</source>
        <translation>正在加载模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="135"/>
        <source>The model is not loaded.</source>
        <translation>模型未加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="137"/>
        <source>Reading the pixels...</source>
        <translation>正在读取像素……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="143"/>
        <source>Describing the box...</source>
        <translation>正在描述方框……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="181"/>
        <source>CLV-Net failed: {error}. Details are in the QGIS log.</source>
        <translation>CLV-Net 失败：{error}。详细信息见 QGIS 日志。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="235"/>
        <source>Could not load the checkpoint {name}: {reason}</source>
        <translation>无法加载检查点 {name}：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="219"/>
        <source>The device {device} is not available here; CLV-Net uses the CPU.</source>
        <translation>此处没有设备 {device}；CLV-Net 改用 CPU。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="405"/>
        <source>The model {name} stays loaded.</source>
        <translation>模型 {name} 仍保持加载。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="451"/>
        <source>The layer &apos;{name}&apos; was removed while CLV-Net worked on it; its request was cancelled.</source>
        <translation>CLV-Net 处理图层“{name}”时该图层被移除；其请求已取消。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="90"/>
        <source>clvnet,segmentation,caption,grounded,describe,relations,ai,deep learning,sam</source>
        <translation>clvnet,分割,描述,定位,说明,关系,人工智能,深度学习,sam</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="100"/>
        <source>Checkpoint folder (empty: the bundled model)</source>
        <translation>检查点文件夹（留空：使用内置模型）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="106"/>
        <source>Context margin (fraction of the box&apos;s longer side)</source>
        <translation>上下文边距（方框长边的比例）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="129"/>
        <source>Objects</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="145"/>
        <source>Boxes with captions</source>
        <translation>带描述的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Boxes described</source>
        <translation>已描述的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Boxes skipped</source>
        <translation>已跳过的方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Objects found</source>
        <translation>找到的对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="228"/>
        <source>Shapefile output: texts longer than 254 bytes were truncated; use a GeoPackage to keep them whole.</source>
        <translation>Shapefile 输出：超过 254 字节的文本已被截断；如需完整保留，请使用 GeoPackage。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="249"/>
        <source>None of the {0} boxes could be described on the raster layer &apos;{1}&apos;; check that they overlap it (and the box layer&apos;s CRS).</source>
        <translation>{0} 个方框均无法在栅格图层“{1}”上描述；请检查它们是否与该图层重叠（以及方框图层的坐标参考系）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="344"/>
        <source>Loading the CLV-Net model…</source>
        <translation>正在加载 CLV-Net 模型……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="352"/>
        <source>CUDA is not available here; running on the CPU.</source>
        <translation>此处 CUDA 不可用；改用 CPU 运行。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="363"/>
        <source>Describing boxes…</source>
        <translation>正在描述方框……</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="369"/>
        <source>Box {0}: {1}</source>
        <translation>方框 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prompts.py" line="34"/>
        <source>Box {0} skipped: {1}</source>
        <translation>已跳过方框 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/provider.py" line="30"/>
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
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="116"/>
        <source>The box layer or the raster has no CRS: box coordinates are taken as raster coordinates.</source>
        <translation>方框图层或栅格没有坐标参考系：方框坐标将按栅格坐标处理。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="138"/>
        <source>the feature has no geometry.</source>
        <translation>该要素没有几何图形。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="146"/>
        <source>it cannot be transformed to the raster&apos;s CRS.</source>
        <translation>无法将其转换到栅格的坐标参考系。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="150"/>
        <source>its extent has no area (a point or a straight line).</source>
        <translation>其范围没有面积（一个点或一条直线）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="153"/>
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
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="58"/>
        <source>Preparing the model&apos;s Python environment...</source>
        <translation>正在准备模型的 Python 环境...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="99"/>
        <source>CLV-Net: the model&apos;s Python environment</source>
        <translation>CLV-Net：模型的 Python 环境</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="111"/>
        <source>CLV-Net runs its model in a separate program with its own Python environment: QGIS never loads PyTorch itself, so the model&apos;s libraries cannot clash with QGIS&apos;s, and if the model crashes only one box is lost, never your QGIS session.</source>
        <translation>CLV-Net 在一个独立的程序中、用它自己的 Python 环境运行模型：QGIS 本身从不加载 PyTorch，因此模型的库不会与 QGIS 的库冲突；即使模型崩溃，也只会丢失一个框的结果，而不会丢失您的 QGIS 会话。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="169"/>
        <source>Create environment</source>
        <translation>创建环境</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="130"/>
        <source>Use another Python...</source>
        <translation>使用其他 Python...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="155"/>
        <source>Checking the model&apos;s Python ({python}) by starting its server...</source>
        <translation>正在通过启动服务器检查模型的 Python（{python}）...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="169"/>
        <source>Repair</source>
        <translation>修复</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="211"/>
        <source>{action} installs PyTorch ({reason}), Transformers and Segment Anything, in the versions CLV-Net is tested with, into {folder}: about {download} GB to download and {disk} GB on disk. It uses {python}. QGIS stays usable meanwhile; the progress and a Cancel button appear in the message bar.</source>
        <translation>{action}会将 PyTorch（{reason}）、Transformers 和 Segment Anything 按 CLV-Net 测试所用的版本安装到 {folder}：约需下载 {download} GB，占用磁盘 {disk} GB。使用 {python}。在此期间 QGIS 仍可使用；进度和“取消”按钮显示在消息栏中。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="241"/>
        <source>The model&apos;s Python environment works: {summary}.</source>
        <translation>模型的 Python 环境工作正常：{summary}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="246"/>
        <source>Recreate environment</source>
        <translation>重新创建环境</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="167"/>
        <source>Python for the model</source>
        <translation>模型使用的 Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="201"/>
        <source>Checking {python} by starting the model&apos;s server...</source>
        <translation>正在通过启动模型服务器检查 {python}...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="298"/>
        <source>The model will use {python}: {summary}.</source>
        <translation>模型将使用 {python}：{summary}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="88"/>
        <source>Exported the objects, boxes and relations to {file} in {folder}.</source>
        <translation>已将对象、框和关系导出到 {folder} 中的 {file}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="92"/>
        <source>Exported {files} and {last} to {folder}.</source>
        <translation>已将 {files} 和 {last} 导出到 {folder}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="68"/>
        <source>The model needs its own Python environment, which is not set up yet: create it from the dialog the box tool offers, choose a &quot;Python for the model&quot; in Settings, or set {variable}.</source>
        <translation>模型需要自己的 Python 环境，但尚未设置：请在框选工具提供的对话框中创建它，在设置中选择“模型使用的 Python”，或设置 {variable}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="96"/>
        <source>No Python interpreter was given.</source>
        <translation>未指定 Python 解释器。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="99"/>
        <source>&apos;{path}&apos; does not exist; choose a Python interpreter file.</source>
        <translation>“{path}”不存在；请选择一个 Python 解释器文件。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="101"/>
        <source>&apos;{path}&apos; is a folder; choose the Python interpreter in it (bin/python, or python.exe on Windows).</source>
        <translation>“{path}”是一个文件夹；请选择其中的 Python 解释器（bin/python，Windows 上为 python.exe）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="106"/>
        <source>&apos;{path}&apos; cannot be run; choose a Python interpreter.</source>
        <translation>无法运行“{path}”；请选择一个 Python 解释器。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="69"/>
        <source>an NVIDIA GPU was found, so PyTorch&apos;s CUDA build is used</source>
        <translation>检测到 NVIDIA GPU，因此使用 PyTorch 的 CUDA 版本</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="73"/>
        <source>no NVIDIA GPU was found, so PyTorch&apos;s CPU build is used</source>
        <translation>未检测到 NVIDIA GPU，因此使用 PyTorch 的 CPU 版本</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="80"/>
        <source>PyPI&apos;s PyTorch build for this platform</source>
        <translation>PyPI 上适用于此平台的 PyTorch 版本</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="83"/>
        <source>the Python QGIS runs</source>
        <translation>QGIS 运行的 Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="86"/>
        <source>QGIS&apos;s Python</source>
        <translation>QGIS 的 Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="89"/>
        <source>QGIS&apos;s Python prefix</source>
        <translation>QGIS 的 Python 前缀目录</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="92"/>
        <source>QGIS&apos;s install folder</source>
        <translation>QGIS 的安装目录</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="94"/>
        <source>the system&apos;s Python</source>
        <translation>系统的 Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="97"/>
        <source>the Python on the PATH</source>
        <translation>PATH 中的 Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="115"/>
        <source>&apos;{path}&apos; cannot create virtual environments (on Debian and Ubuntu install the python3-venv package).</source>
        <translation>“{path}”无法创建虚拟环境（在 Debian 和 Ubuntu 上请安装 python3-venv 软件包）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="119"/>
        <source>&apos;{path}&apos; is not a working Python interpreter.</source>
        <translation>“{path}”不是可用的 Python 解释器。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="122"/>
        <source>&apos;{path}&apos; is Python {version}; the model needs Python {minimum} or newer.</source>
        <translation>“{path}”是 Python {version}；模型需要 Python {minimum} 或更新版本。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="134"/>
        <source>No Python {minimum} or newer that can create a virtual environment was found</source>
        <translation>未找到能够创建虚拟环境的 Python {minimum} 或更新版本</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="134"/>
        <source>; choose one with &quot;Use another Python&quot;.</source>
        <translation>；请通过“使用其他 Python”选择一个。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="51"/>
        <source>GPUs: {devices}</source>
        <translation>GPU：{devices}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="51"/>
        <source>no GPU</source>
        <translation>无 GPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="105"/>
        <source>The model&apos;s Python environment ({python}) is broken: the package &apos;{module}&apos; cannot be imported.</source>
        <translation>模型的 Python 环境（{python}）已损坏：无法导入软件包“{module}”。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="138"/>
        <source>The model&apos;s server started but could not load the model: {message}</source>
        <translation>模型服务器已启动，但无法加载模型：{message}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="143"/>
        <source>The model&apos;s server stopped before answering ({last}).</source>
        <translation>模型服务器在响应之前停止了（{last}）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="143"/>
        <source>no message</source>
        <translation>无消息</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="184"/>
        <source>Looking for a Python to build from...</source>
        <translation>正在查找用于创建环境的 Python...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="258"/>
        <source>&apos;{path}&apos; did not answer within {seconds} s.</source>
        <translation>“{path}”在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="259"/>
        <source>&apos;{path}&apos; could not be started as a Python interpreter.</source>
        <translation>无法将“{path}”作为 Python 解释器启动。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="269"/>
        <source>The model&apos;s server with {python} did not answer within {seconds} s.</source>
        <translation>使用 {python} 的模型服务器在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="207"/>
        <source>Creating the Python environment with {python}...</source>
        <translation>正在使用 {python} 创建 Python 环境...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="222"/>
        <source>Downloading and installing the model&apos;s packages (about {size} GB)...</source>
        <translation>正在下载并安装模型的软件包（约 {size} GB）...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="294"/>
        <source>The installation was cancelled; the previous environment is unchanged.</source>
        <translation>安装已取消；之前的环境保持不变。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="358"/>
        <source>Creating the model&apos;s environment failed (exit code {code}); the previous environment is unchanged. pip&apos;s output is in {log}.</source>
        <translation>创建模型环境失败（退出码 {code}）；之前的环境保持不变。pip 的输出位于 {log}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="373"/>
        <source>{program} could not be started; the previous environment is unchanged.</source>
        <translation>无法启动 {program}；之前的环境保持不变。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="380"/>
        <source>Checking the environment by starting the model&apos;s server...</source>
        <translation>正在通过启动模型服务器检查环境...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="389"/>
        <source>The new environment does not work ({problem}); the previous one is unchanged.</source>
        <translation>新环境无法工作（{problem}）；之前的环境保持不变。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="398"/>
        <source>The new environment could not replace the old one ({error}).</source>
        <translation>新环境无法替换旧环境（{error}）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="404"/>
        <source>The model&apos;s Python environment is ready ({summary}); it took {minutes} min.</source>
        <translation>模型的 Python 环境已就绪（{summary}）；用时 {minutes} 分钟。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="214"/>
        <source>It was trained on generated scenes only: check its captions and polygons before trusting them on real imagery.</source>
        <translation>该模型仅在生成的场景上训练：在真实影像上使用其描述和多边形之前请先核对。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="219"/>
        <source>The model is not loaded: {reason}</source>
        <translation>模型未加载：{reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="177"/>
        <source>CLV-Net&apos;s model needs its own Python environment: set it up from the dialog; QGIS works as before.</source>
        <translation>CLV-Net 的模型需要自己的 Python 环境：请在对话框中进行设置；QGIS 照常工作。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="97"/>
        <source>Objects whose score is lower are not added to the layers</source>
        <translation>得分低于此值的对象不会添加到图层</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="117"/>
        <source>the environment CLV-Net manages</source>
        <translation>CLV-Net 管理的环境</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="118"/>
        <source>A Python interpreter with the model&apos;s packages (a conda environment, a venv); the environment variable {variable} overrides it.</source>
        <translation>装有模型所需软件包的 Python 解释器（conda 环境或 venv）；环境变量 {variable} 优先于此设置。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="124"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="135"/>
        <source>{variable}={python} overrides this setting.</source>
        <translation>{variable}={python} 优先于此设置。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="164"/>
        <source>Minimum object score</source>
        <translation>对象最低得分</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="195"/>
        <source>The model uses the environment CLV-Net manages.</source>
        <translation>模型使用 CLV-Net 管理的环境。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="224"/>
        <source>The model&apos;s server answered: {summary}.</source>
        <translation>模型服务器已响应：{summary}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="81"/>
        <source>The model process stopped unexpectedly ({how}); it will be restarted for the next box.</source>
        <translation>模型进程意外停止（{how}）；将在下一个框时重新启动。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="175"/>
        <source>CLV-Net failed: {error} Details are in the QGIS log.</source>
        <translation>CLV-Net 失败：{error} 详细信息见 QGIS 日志。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="115"/>
        <source>Minimum object score (objects scoring lower are left out)</source>
        <translation>对象最低得分（得分更低的对象将被省略）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="211"/>
        <source>The model process stopped unexpectedly ({0}) after {1} boxes; run the algorithm again.</source>
        <translation>模型进程在 {1} 个框之后意外停止（{0}）；请重新运行该算法。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="242"/>
        <source>{0} objects scored below the minimum score {1:.2f} and were left out.</source>
        <translation>{0} 个对象的得分低于最低得分 {1:.2f}，已被省略。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="310"/>
        <source>{layer} ({algorithm})</source>
        <translation>{layer}（{algorithm}）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="358"/>
        <source>Model {0} ({1}) on {2}, in the model process {3}.</source>
        <translation>模型 {0}（{1}）运行于 {2}，模型进程 {3}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="65"/>
        <source>Prepare training data from a labelled layer</source>
        <translation>从带标注的图层准备训练数据</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="68"/>
        <source>clvnet,training,records,labels,captions,fine-tune</source>
        <translation>clvnet,训练,记录,标注,描述,微调</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="71"/>
        <source>Turns a polygon layer of labelled objects (building footprints, fields, tree crowns...) over a raster into training records for &quot;Fine-tune the model&quot;: for windows of the raster it writes grounded captions of the labelled objects (their class, count, size, colour and relations), the windows as images, a few previews and a summary of images, objects per class and skipped labels.

Class field: the field holding each object&apos;s class; its values become the nouns of the captions. Extent: only windows inside it (empty: the whole raster). The raster must be a file (GeoTIFF or any file GDAL reads) with a CRS; the labels may be in any CRS. Runs in the model&apos;s own Python, with the training package.</source>
        <translation>将栅格上带标注对象的面图层（建筑轮廓、地块、树冠……）转换为供“微调模型”使用的训练记录：对栅格的各个窗口，写出标注对象的定位描述（类别、数量、大小、颜色及相互关系），把窗口保存为图像，并生成若干预览图以及图像、各类别对象数和被跳过标注的汇总。

类别字段：保存每个对象类别的字段，其取值将成为描述中的名词。范围：只使用范围内的窗口（留空：整个栅格）。栅格必须是带坐标参考系的文件（GeoTIFF 或任何 GDAL 可读的文件）；标注可以是任意坐标参考系。在模型自己的 Python 中运行，需要训练包。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="85"/>
        <source>Labelled polygons</source>
        <translation>带标注的面</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="90"/>
        <source>Class field</source>
        <translation>类别字段</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="95"/>
        <source>Extent (empty: all)</source>
        <translation>范围（留空：全部）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="98"/>
        <source>Training records folder</source>
        <translation>训练记录文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Images (raster windows) written</source>
        <translation>已写出的图像（栅格窗口）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Records written</source>
        <translation>已写出的记录</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Labels or windows skipped</source>
        <translation>跳过的标注或窗口</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="120"/>
        <source>The raster layer &apos;{0}&apos; is not a file GDAL reads: export it to a GeoTIFF first (Raster &gt; Conversion &gt; Translate).</source>
        <translation>栅格图层“{0}”不是 GDAL 可读的文件：请先将其导出为 GeoTIFF（栅格 &gt; 转换 &gt; 转换格式）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="127"/>
        <source>The raster layer &apos;{0}&apos; has no CRS: labels cannot be placed on it.</source>
        <translation>栅格图层“{0}”没有坐标参考系：无法在其上放置标注。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="147"/>
        <source>The label layer has no field named &apos;{0}&apos;.</source>
        <translation>标注图层没有名为“{0}”的字段。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="157"/>
        <source>The label layer has no polygons to learn from.</source>
        <translation>标注图层中没有可供学习的面。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="158"/>
        <source>{0} labelled polygons exported.</source>
        <translation>已导出 {0} 个带标注的面。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="171"/>
        <source>Preparing was cancelled; nothing was written to &apos;{0}&apos;.</source>
        <translation>准备已取消；没有向“{0}”写入任何内容。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="171"/>
        <source>Preparing the records failed: {0}</source>
        <translation>准备记录失败：{0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="207"/>
        <source>The labels cannot be exported: {0}</source>
        <translation>无法导出标注：{0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="231"/>
        <source>Records and previews written to {0}.</source>
        <translation>记录和预览已写入 {0}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="76"/>
        <source>Fine-tune the model on training records</source>
        <translation>在训练记录上微调模型</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="79"/>
        <source>clvnet,training,fine-tune,fine tuning,checkpoint,deep learning</source>
        <translation>clvnet,训练,微调,精调,检查点,深度学习</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="82"/>
        <source>Fine-tunes a CLV-Net checkpoint on record folders written by &quot;Prepare training data&quot; (or python -m training.prepare), mixed with synthetic scenes so the model keeps what it knew. Training runs in the model&apos;s own Python, never inside QGIS; progress and losses appear in the log, and Cancel stops it without leaving a half-written folder.

Record folders: one per line. Base checkpoint: empty for the bundled model. Steps: optimiser steps of one batch each; on a CPU a step of 4 takes a few seconds. Synthetic share: the fraction of each batch drawn from synthetic scenes (0: records only). The output folder is a checkpoint with its model card: choose it as the checkpoint in Settings or in the other algorithms.</source>
        <translation>在“准备训练数据”（或 python -m training.prepare）写出的记录文件夹上微调 CLV-Net 检查点，并混入合成场景，使模型保留已学到的能力。训练在模型自己的 Python 中运行，绝不在 QGIS 内运行；进度和损失显示在日志中，“取消”会停止训练且不会留下写了一半的文件夹。

记录文件夹：每行一个。基础检查点：留空则使用内置模型。步数：优化步数，每步一个批次；在 CPU 上，批大小为 4 的一步需要几秒。合成比例：每个批次中取自合成场景的比例（0：只用记录）。输出文件夹是带有模型卡的检查点：可在设置或其他算法中选择它作为检查点。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="96"/>
        <source>Record folders (one per line)</source>
        <translation>记录文件夹（每行一个）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="101"/>
        <source>Base checkpoint folder (empty: the bundled model)</source>
        <translation>基础检查点文件夹（留空：内置模型）</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="104"/>
        <source>Training steps</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="111"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="114"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="122"/>
        <source>Share of synthetic scenes in the mix</source>
        <translation>混合数据中合成场景的比例</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="134"/>
        <source>Fine-tuned checkpoint folder</source>
        <translation>微调后的检查点文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="137"/>
        <source>Steps trained</source>
        <translation>已训练步数</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="138"/>
        <source>Loss at the last step</source>
        <translation>最后一步的损失</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="180"/>
        <source>No record folder was given.</source>
        <translation>未提供记录文件夹。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="184"/>
        <source>&apos;{0}&apos; is not a folder of training records (JSON files): make one with &quot;Prepare training data&quot;.</source>
        <translation>“{0}”不是训练记录文件夹（JSON 文件）：请用“准备训练数据”生成一个。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="196"/>
        <source>&apos;{0}&apos; is not a CLV-Net checkpoint folder (config.json, model.safetensors).</source>
        <translation>“{0}”不是 CLV-Net 检查点文件夹（config.json、model.safetensors）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="223"/>
        <source>Step {0}/{1}: {2}</source>
        <translation>第 {0}/{1} 步：{2}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="227"/>
        <source>Training was cancelled; nothing was written to &apos;{0}&apos;.</source>
        <translation>训练已取消；没有向“{0}”写入任何内容。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="227"/>
        <source>Training failed: {0}</source>
        <translation>训练失败：{0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="240"/>
        <source>Fine-tuned checkpoint written to {0}.</source>
        <translation>微调后的检查点已写入 {0}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="129"/>
        <source>The Python for the model &apos;{0}&apos; cannot be started: {1}</source>
        <translation>无法启动模型的 Python“{0}”：{1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="68"/>
        <source>The Python for the model (&apos;{0}&apos;) has no CLV-Net training package (training.{1}): install it there with &quot;{0} -m pip install &lt;CLV-Net source folder&gt;&quot; and run this algorithm again.</source>
        <translation>模型的 Python（“{0}”）中没有 CLV-Net 训练包（training.{1}）：请用“{0} -m pip install &lt;CLV-Net 源代码文件夹&gt;”安装后重新运行此算法。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="80"/>
        <source>The output folder &apos;{0}&apos; is not empty: choose a new or empty folder.</source>
        <translation>输出文件夹“{0}”不为空：请选择一个新的或空的文件夹。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="171"/>
        <source>no output</source>
        <translation>无输出</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="172"/>
        <source>{0} stopped with exit code {1}: {2}</source>
        <translation>{0} 已停止，退出码 {1}：{2}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="242"/>
        <source>{n} objects scored below the minimum score {score:.2f} and were left out (Settings).</source>
        <translation>{n} 个对象的得分低于最低得分 {score:.2f}，已被省略（设置）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="325"/>
        <source>Loading the checkpoint {name} to check it before it is saved...</source>
        <translation>正在加载检查点 {name}，在保存之前进行检查...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="353"/>
        <source>The checkpoint {name} loaded and is saved in the settings.</source>
        <translation>检查点 {name} 已加载并保存到设置中。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="360"/>
        <source>The checkpoint {name} did not load, so the settings keep {kept}.</source>
        <translation>检查点 {name} 未能加载，因此设置保留 {kept}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="144"/>
        <source>PyTorch&apos;s CPU index could not be reached, so PyPI&apos;s build is used</source>
        <translation>无法访问 PyTorch 的 CPU 索引，因此使用 PyPI 的版本</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="216"/>
        <source>Checking that {index} can be reached...</source>
        <translation>正在检查能否访问 {index}...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="126"/>
        <source>Environment...</source>
        <translation>环境...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="127"/>
        <source>Check, create or repair the Python environment CLV-Net manages for the model</source>
        <translation>检查、创建或修复 CLV-Net 为模型管理的 Python 环境</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="233"/>
        <source>If that index cannot be reached, PyPI&apos;s larger build is installed instead: about {download} GB to download and {disk} GB on disk.</source>
        <translation>如果无法访问该索引，将改为安装 PyPI 上更大的版本：下载约 {download} GB，占用磁盘约 {disk} GB。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="242"/>
        <source>1 object scored below the minimum score {score:.2f} and was left out (Settings).</source>
        <translation>1 个对象的得分低于最低得分 {score:.2f}，已被省略（设置）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="242"/>
        <source>1 object scored below the minimum score {1:.2f} and was left out.</source>
        <translation>1 个对象的得分低于最低得分 {1:.2f}，已被省略。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="211"/>
        <source>The model process stopped unexpectedly ({0}) after 1 box; run the algorithm again.</source>
        <translation>模型进程在 1 个框之后意外停止（{0}）；请重新运行该算法。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="234"/>
        <source>1 box described</source>
        <translation>已描述 1 个方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="234"/>
        <source>{0} boxes described</source>
        <translation>已描述 {0} 个方框</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="235"/>
        <source>1 object found</source>
        <translation>找到 1 个对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="235"/>
        <source>{0} objects found</source>
        <translation>找到 {0} 个对象</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="236"/>
        <source>{0}, {1} skipped, {2}.</source>
        <translation>{0}，跳过 {1} 个，{2}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="249"/>
        <source>The box could not be described on the raster layer &apos;{1}&apos;; check that it overlaps it (and the box layer&apos;s CRS).</source>
        <translation>无法在栅格图层“{1}”上描述该方框；请检查它是否与图层重叠（以及方框图层的坐标参考系）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="171"/>
        <source>1 step</source>
        <translation>1 步</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="171"/>
        <source>{0} steps</source>
        <translation>{0} 步</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="172"/>
        <source>1 record folder</source>
        <translation>1 个记录文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="172"/>
        <source>{0} record folders</source>
        <translation>{0} 个记录文件夹</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="173"/>
        <source>Fine-tuning {0} for {1} on {2}, synthetic share {3}.</source>
        <translation>正在以 {2} 微调 {0}，共 {1}，合成比例 {3}。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="264"/>
        <source>The model&apos;s environment needs about {disk} GB free in {folder}, but only {free} GB is free; free some space and try again (the previous environment is unchanged).</source>
        <translation>模型环境需要 {folder} 中约 {disk} GB 的可用空间，但只有 {free} GB 可用；请释放一些空间后重试（之前的环境保持不变）。</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="349"/>
        <source>Creating the model&apos;s environment failed because the disk is full (it needs about {disk} GB free in {folder}); the previous environment is unchanged. pip&apos;s output is in {log}.</source>
        <translation>由于磁盘已满，创建模型环境失败（需要 {folder} 中约 {disk} GB 的可用空间）；之前的环境保持不变。pip 的输出在 {log} 中。</translation>
    </message>
</context>
</TS>
