<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>@default</name>
    <message>
        <location filename="../clvnet_qgis/export.py" line="69"/>
        <source>The export file &apos;{path}&apos; must end in .gpkg, .shp or .geojson.</source>
        <translation>Le fichier d’export « {path} » doit se terminer par .gpkg, .shp ou .geojson.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="294"/>
        <source>There are no CLV-Net results to export yet.</source>
        <translation>Il n’y a pas encore de résultats CLV-Net à exporter.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="122"/>
        <source>Cannot write to &apos;{folder}&apos;: the folder is missing or not writable.</source>
        <translation>Impossible d’écrire dans « {folder} » : le dossier n’existe pas ou n’est pas accessible en écriture.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="158"/>
        <source>Cannot write &apos;{path}&apos;: {reason}</source>
        <translation>Impossible d’écrire « {path} » : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="163"/>
        <source>Shapefile text is limited to 254 characters: {n} &apos;{field}&apos; values of {layer} were cut.</source>
        <translation>Le texte d’un Shapefile est limité à 254 caractères : {n} valeurs de « {field} » de {layer} ont été tronquées.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="176"/>
        <source>Shapefile field names have at most 10 characters: &apos;{name}&apos; becomes &apos;{short}&apos;.</source>
        <translation>Les noms de champ d’un Shapefile ont au plus 10 caractères : « {name} » devient « {short} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="189"/>
        <source>Export CLV-Net results</source>
        <translation>Exporter les résultats CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="192"/>
        <source>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</source>
        <translation>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="201"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="202"/>
        <source>CRS</source>
        <translation>SCR</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="88"/>
        <source>Add a raster layer and choose it in the CLV-Net panel first.</source>
        <translation>Ajoutez d’abord une couche raster et choisissez-la dans le panneau CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="91"/>
        <source>&apos;{name}&apos; is not a raster layer; choose a raster layer in the CLV-Net panel.</source>
        <translation>« {name} » n’est pas une couche raster ; choisissez une couche raster dans le panneau CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="127"/>
        <source>Drag a box over the raster; a click alone does not make one.</source>
        <translation>Faites glisser une boîte sur le raster ; un simple clic n’en crée pas.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="134"/>
        <source>The box cannot be transformed to the CRS of &apos;{name}&apos;.</source>
        <translation>La boîte ne peut pas être transformée dans le SCR de « {name} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="138"/>
        <source>The box lies outside the raster &apos;{name}&apos;.</source>
        <translation>La boîte est en dehors du raster « {name} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="124"/>
        <source>CLV-Net</source>
        <translation>CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="132"/>
        <source>The raster layer the box tool reads</source>
        <translation>La couche raster lue par l’outil boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="153"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="167"/>
        <source>Pick the box tool and drag a box over the raster.</source>
        <translation>Prenez l’outil boîte et faites glisser une boîte sur le raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="84"/>
        <source>Raster layer</source>
        <translation>Couche raster</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="182"/>
        <source>Caption</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="136"/>
        <source>Relations</source>
        <translation>Relations</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="186"/>
        <source>Boxes of this session</source>
        <translation>Boîtes de cette session</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="210"/>
        <source>Model {model} loaded on {device} (checkpoint {checkpoint}).</source>
        <translation>Modèle {model} chargé sur {device} (point de contrôle {checkpoint}).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="221"/>
        <source>Loading the model (checkpoint {checkpoint})...</source>
        <translation>Chargement du modèle (point de contrôle {checkpoint})…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="76"/>
        <source>bundled default</source>
        <translation>par défaut intégré</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="225"/>
        <source>Model not loaded yet (checkpoint {checkpoint}, device {device}); it loads on first use.</source>
        <translation>Modèle pas encore chargé (point de contrôle {checkpoint}, périphérique {device}) ; il se charge à la première utilisation.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="278"/>
        <source>{subject} - {predicate} - {object} ({score:.2f})</source>
        <translation>{subject} - {predicate} - {object} ({score:.2f})</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="278"/>
        <source>object {n}</source>
        <translation>objet {n}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="150"/>
        <source>QGIS could not draw the layer &apos;{name}&apos;: {reason}</source>
        <translation>QGIS n’a pas pu dessiner la couche « {name} » : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="166"/>
        <source>The layer &apos;{name}&apos; shows nothing in this box.</source>
        <translation>La couche « {name} » n’affiche rien dans cette boîte.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="69"/>
        <source>Describe a box</source>
        <translation>Décrire une boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="72"/>
        <source>Drag a box on a raster to caption and segment it</source>
        <translation>Faites glisser une boîte sur un raster pour la décrire et la segmenter</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="73"/>
        <source>Results panel</source>
        <translation>Panneau des résultats</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="79"/>
        <source>Remove the last result</source>
        <translation>Supprimer le dernier résultat</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="84"/>
        <source>Export results...</source>
        <translation>Exporter les résultats…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="89"/>
        <source>Settings...</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="92"/>
        <source>Help</source>
        <translation>Aide</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="212"/>
        <source>Waiting for the model...</source>
        <translation>En attente du modèle…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="220"/>
        <source>The layer &apos;{name}&apos; was removed; its result was not added.</source>
        <translation>La couche « {name} » a été supprimée ; son résultat n’a pas été ajouté.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="234"/>
        <source>Results are in temporary memory layers of the &apos;CLV-Net&apos; group; export or save them to keep them.</source>
        <translation>Les résultats sont dans des couches temporaires en mémoire du groupe « CLV-Net » ; exportez-les ou enregistrez-les pour les conserver.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="255"/>
        <source>The model described the box but found no object polygon in it.</source>
        <translation>Le modèle a décrit la boîte mais n’y a trouvé aucun polygone d’objet.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="271"/>
        <source>The request was cancelled.</source>
        <translation>La requête a été annulée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="286"/>
        <source>There is no CLV-Net result to remove.</source>
        <translation>Il n’y a aucun résultat CLV-Net à supprimer.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="289"/>
        <source>Removed box #{box_id}.</source>
        <translation>Boîte n°{box_id} supprimée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="369"/>
        <source>Choose a raster layer in the CLV-Net panel, pick the box tool and drag a box. CLV-Net writes a caption of the box in its surroundings, draws one polygon per object the caption names and lists the relations between them.</source>
        <translation>Choisissez une couche raster dans le panneau CLV-Net, prenez l’outil boîte et faites glisser une boîte. CLV-Net rédige une description de la boîte dans son environnement, dessine un polygone par objet nommé dans la description et liste les relations entre eux.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="374"/>
        <source>Esc or a right click cancels a box. Results go to memory layers in the &apos;CLV-Net&apos; group; export them as GeoPackage, Shapefile or GeoJSON. The Processing toolbox has the same model for many boxes at once.</source>
        <translation>Échap ou un clic droit annule une boîte. Les résultats vont dans des couches en mémoire du groupe « CLV-Net » ; exportez-les en GeoPackage, Shapefile ou GeoJSON. La boîte à outils de traitements offre le même modèle pour de nombreuses boîtes à la fois.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="381"/>
        <source>CLV-Net help</source>
        <translation>Aide de CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="45"/>
        <source>CLV-Net settings</source>
        <translation>Paramètres de CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="50"/>
        <source>bundled default model</source>
        <translation>modèle intégré par défaut</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="51"/>
        <source>A checkpoint folder (config.json, model.safetensors, tokenizer.json)</source>
        <translation>Un dossier de point de contrôle (config.json, model.safetensors, tokenizer.json)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="66"/>
        <source>Automatic</source>
        <translation>Automatique</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="56"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="68"/>
        <source>Half precision is used on a GPU only</source>
        <translation>La demi-précision n’est utilisée que sur un GPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="74"/>
        <source>Margin around the box, as a fraction of its longer side</source>
        <translation>Marge autour de la boîte, en fraction de son plus grand côté</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="79"/>
        <source> tokens</source>
        <translation> jetons</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="91"/>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="85"/>
        <source>Polygon parts smaller than this are dropped</source>
        <translation>Les parties de polygone plus petites sont supprimées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>R</source>
        <translation>R</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>G</source>
        <translation>V</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="111"/>
        <source>Raster CRS</source>
        <translation>SCR du raster</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="157"/>
        <source>Checkpoint folder</source>
        <translation>Dossier du point de contrôle</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="58"/>
        <source>Device</source>
        <translation>Périphérique</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="159"/>
        <source>Precision</source>
        <translation>Précision</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="160"/>
        <source>Context margin</source>
        <translation>Marge de contexte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="161"/>
        <source>Maximum caption length</source>
        <translation>Longueur maximale de la description</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="162"/>
        <source>Minimum object area</source>
        <translation>Surface minimale d’un objet</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="163"/>
        <source>Simplification tolerance</source>
        <translation>Tolérance de simplification</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="165"/>
        <source>RGB bands</source>
        <translation>Bandes RVB</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="166"/>
        <source>Output CRS</source>
        <translation>SCR de sortie</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="133"/>
        <source>Loading the model...</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="135"/>
        <source>The model is not loaded.</source>
        <translation>Le modèle n’est pas chargé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="137"/>
        <source>Reading the pixels...</source>
        <translation>Lecture des pixels…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="143"/>
        <source>Describing the box...</source>
        <translation>Description de la boîte…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="181"/>
        <source>CLV-Net failed: {error}. Details are in the QGIS log.</source>
        <translation>CLV-Net a échoué : {error}. Les détails sont dans le journal de QGIS.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="235"/>
        <source>Could not load the checkpoint {name}: {reason}</source>
        <translation>Impossible de charger le point de contrôle {name} : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="219"/>
        <source>The device {device} is not available here; CLV-Net uses the CPU.</source>
        <translation>Le périphérique {device} n’est pas disponible ici ; CLV-Net utilise le CPU.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="405"/>
        <source>The model {name} stays loaded.</source>
        <translation>Le modèle {name} reste chargé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="451"/>
        <source>The layer &apos;{name}&apos; was removed while CLV-Net worked on it; its request was cancelled.</source>
        <translation>La couche « {name} » a été supprimée pendant que CLV-Net la traitait ; sa requête a été annulée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="90"/>
        <source>clvnet,segmentation,caption,grounded,describe,relations,ai,deep learning,sam</source>
        <translation>clvnet,segmentation,description,ancrage,décrire,relations,ia,apprentissage profond,sam</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="100"/>
        <source>Checkpoint folder (empty: the bundled model)</source>
        <translation>Dossier du point de contrôle (vide : le modèle intégré)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="106"/>
        <source>Context margin (fraction of the box&apos;s longer side)</source>
        <translation>Marge de contexte (fraction du plus grand côté de la boîte)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="129"/>
        <source>Objects</source>
        <translation>Objets</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="145"/>
        <source>Boxes with captions</source>
        <translation>Boîtes avec descriptions</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Boxes described</source>
        <translation>Boîtes décrites</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Boxes skipped</source>
        <translation>Boîtes ignorées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="154"/>
        <source>Objects found</source>
        <translation>Objets trouvés</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="228"/>
        <source>Shapefile output: texts longer than 254 bytes were truncated; use a GeoPackage to keep them whole.</source>
        <translation>Sortie Shapefile : les textes de plus de 254 octets ont été tronqués ; utilisez un GeoPackage pour les garder entiers.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="249"/>
        <source>None of the {0} boxes could be described on the raster layer &apos;{1}&apos;; check that they overlap it (and the box layer&apos;s CRS).</source>
        <translation>Aucune des {0} boîtes n’a pu être décrite sur la couche raster « {1} » ; vérifiez qu’elles la recouvrent (et le SCR de la couche de boîtes).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="344"/>
        <source>Loading the CLV-Net model…</source>
        <translation>Chargement du modèle CLV-Net…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="352"/>
        <source>CUDA is not available here; running on the CPU.</source>
        <translation>CUDA n’est pas disponible ici ; exécution sur le CPU.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="363"/>
        <source>Describing boxes…</source>
        <translation>Description des boîtes…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="369"/>
        <source>Box {0}: {1}</source>
        <translation>Boîte {0} : {1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prompts.py" line="34"/>
        <source>Box {0} skipped: {1}</source>
        <translation>Boîte {0} ignorée : {1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/provider.py" line="30"/>
        <source>CLV-Net grounded captions and segmentation</source>
        <translation>CLV-Net : descriptions ancrées et segmentation</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="41"/>
        <source>Segment and describe boxes</source>
        <translation>Segmenter et décrire des boîtes</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="45"/>
        <source>Runs CLV-Net on the extent of every feature of a box layer: for each box it writes a grounded caption, one polygon per grounded phrase and the relations between those objects.

Boxes in another CRS than the raster&apos;s are reprojected; boxes outside the raster, and empty geometries, are skipped and counted in the log. ID field: a field of the box layer copied to every output, to join results back to the boxes.

Checkpoint: a CLV-Net checkpoint folder (empty: the bundled model). Device: auto uses a GPU when one is available. Context margin: how much of the surroundings the model sees around each box, as a fraction of its longer side.</source>
        <translation>Exécute CLV-Net sur l’emprise de chaque entité d’une couche de boîtes : pour chaque boîte, il rédige une description ancrée, un polygone par expression ancrée et les relations entre ces objets.

Les boîtes dans un autre SCR que celui du raster sont reprojetées ; les boîtes hors du raster et les géométries vides sont ignorées et comptées dans le journal. Champ identifiant : un champ de la couche de boîtes copié dans chaque sortie, pour joindre les résultats aux boîtes.

Point de contrôle : un dossier de point de contrôle CLV-Net (vide : le modèle intégré). Périphérique : auto utilise un GPU s’il y en a un. Marge de contexte : la part de l’environnement que le modèle voit autour de chaque boîte, en fraction de son plus grand côté.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="60"/>
        <source>Box layer</source>
        <translation>Couche de boîtes</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="67"/>
        <source>ID field to carry to the outputs</source>
        <translation>Champ identifiant à reporter dans les sorties</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="91"/>
        <source>The box layer has no field named &apos;{0}&apos;.</source>
        <translation>La couche de boîtes n’a pas de champ nommé « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="98"/>
        <source>The box layer has no features: there is nothing to describe.</source>
        <translation>La couche de boîtes n’a aucune entité : il n’y a rien à décrire.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="116"/>
        <source>The box layer or the raster has no CRS: box coordinates are taken as raster coordinates.</source>
        <translation>La couche de boîtes ou le raster n’a pas de SCR : les coordonnées des boîtes sont prises comme coordonnées du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="138"/>
        <source>the feature has no geometry.</source>
        <translation>l’entité n’a pas de géométrie.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="146"/>
        <source>it cannot be transformed to the raster&apos;s CRS.</source>
        <translation>elle ne peut pas être transformée dans le SCR du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="150"/>
        <source>its extent has no area (a point or a straight line).</source>
        <translation>son emprise n’a pas de surface (un point ou une ligne droite).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="153"/>
        <source>it lies outside the raster.</source>
        <translation>elle est en dehors du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="31"/>
        <source>Segment and describe extent</source>
        <translation>Segmenter et décrire une emprise</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="35"/>
        <source>Runs CLV-Net on one extent of a raster: writes its grounded caption, one polygon per grounded phrase and the relations between those objects (box_id 1).

The extent may be in any CRS (e.g. &apos;xmin,xmax,ymin,ymax [EPSG:4326]&apos;); without one it is taken in the project&apos;s CRS, or the raster&apos;s when there is no project.</source>
        <translation>Exécute CLV-Net sur une emprise d’un raster : rédige sa description ancrée, un polygone par expression ancrée et les relations entre ces objets (box_id 1).

L’emprise peut être dans n’importe quel SCR (par ex. 'xmin,xmax,ymin,ymax [EPSG:4326]') ; sans SCR, elle est prise dans celui du projet, ou dans celui du raster s’il n’y a pas de projet.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="45"/>
        <source>Box extent</source>
        <translation>Emprise de la boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="63"/>
        <source>The extent has no area.</source>
        <translation>L’emprise n’a pas de surface.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="65"/>
        <source>The extent does not overlap the raster layer &apos;{0}&apos;.</source>
        <translation>L’emprise ne recouvre pas la couche raster « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="58"/>
        <source>Preparing the model&apos;s Python environment...</source>
        <translation>Préparation de l'environnement Python du modèle...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="99"/>
        <source>CLV-Net: the model&apos;s Python environment</source>
        <translation>CLV-Net : l'environnement Python du modèle</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="111"/>
        <source>CLV-Net runs its model in a separate program with its own Python environment: QGIS never loads PyTorch itself, so the model&apos;s libraries cannot clash with QGIS&apos;s, and if the model crashes only one box is lost, never your QGIS session.</source>
        <translation>CLV-Net exécute son modèle dans un programme séparé, avec son propre environnement Python : QGIS ne charge jamais PyTorch lui-même, les bibliothèques du modèle ne peuvent donc pas entrer en conflit avec celles de QGIS, et si le modèle plante, seule une boîte est perdue, jamais votre session QGIS.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="169"/>
        <source>Create environment</source>
        <translation>Créer l'environnement</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="130"/>
        <source>Use another Python...</source>
        <translation>Utiliser un autre Python...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="155"/>
        <source>Checking the model&apos;s Python ({python}) by starting its server...</source>
        <translation>Vérification du Python du modèle ({python}) en démarrant son serveur...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="169"/>
        <source>Repair</source>
        <translation>Réparer</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="211"/>
        <source>{action} installs PyTorch ({reason}), Transformers and Segment Anything, in the versions CLV-Net is tested with, into {folder}: about {download} GB to download and {disk} GB on disk. It uses {python}. QGIS stays usable meanwhile; the progress and a Cancel button appear in the message bar.</source>
        <translation>{action} installe PyTorch ({reason}), Transformers et Segment Anything, dans les versions avec lesquelles CLV-Net est testé, dans {folder} : environ {download} Go à télécharger et {disk} Go sur le disque. Il utilise {python}. QGIS reste utilisable pendant ce temps ; la progression et un bouton Annuler apparaissent dans la barre de messages.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="241"/>
        <source>The model&apos;s Python environment works: {summary}.</source>
        <translation>L'environnement Python du modèle fonctionne : {summary}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="246"/>
        <source>Recreate environment</source>
        <translation>Recréer l'environnement</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="167"/>
        <source>Python for the model</source>
        <translation>Python du modèle</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="201"/>
        <source>Checking {python} by starting the model&apos;s server...</source>
        <translation>Vérification de {python} en démarrant le serveur du modèle...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="298"/>
        <source>The model will use {python}: {summary}.</source>
        <translation>Le modèle utilisera {python} : {summary}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="88"/>
        <source>Exported the objects, boxes and relations to {file} in {folder}.</source>
        <translation>Objets, emprises et relations exportés dans {file} (dossier {folder}).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="92"/>
        <source>Exported {files} and {last} to {folder}.</source>
        <translation>{files} et {last} exportés dans {folder}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="68"/>
        <source>The model needs its own Python environment, which is not set up yet: create it from the dialog the box tool offers, choose a &quot;Python for the model&quot; in Settings, or set {variable}.</source>
        <translation>Le modèle a besoin de son propre environnement Python, qui n'est pas encore configuré : créez-le depuis la boîte de dialogue proposée par l'outil de boîte, choisissez un « Python du modèle » dans les paramètres, ou définissez {variable}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="96"/>
        <source>No Python interpreter was given.</source>
        <translation>Aucun interpréteur Python n'a été indiqué.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="99"/>
        <source>&apos;{path}&apos; does not exist; choose a Python interpreter file.</source>
        <translation>« {path} » n'existe pas ; choisissez le fichier d'un interpréteur Python.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="101"/>
        <source>&apos;{path}&apos; is a folder; choose the Python interpreter in it (bin/python, or python.exe on Windows).</source>
        <translation>« {path} » est un dossier ; choisissez l'interpréteur Python qu'il contient (bin/python, ou python.exe sous Windows).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/model_env.py" line="106"/>
        <source>&apos;{path}&apos; cannot be run; choose a Python interpreter.</source>
        <translation>« {path} » ne peut pas être exécuté ; choisissez un interpréteur Python.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="69"/>
        <source>an NVIDIA GPU was found, so PyTorch&apos;s CUDA build is used</source>
        <translation>un GPU NVIDIA a été trouvé, la version CUDA de PyTorch est donc utilisée</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="73"/>
        <source>no NVIDIA GPU was found, so PyTorch&apos;s CPU build is used</source>
        <translation>aucun GPU NVIDIA n'a été trouvé, la version CPU de PyTorch est donc utilisée</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="80"/>
        <source>PyPI&apos;s PyTorch build for this platform</source>
        <translation>la version de PyTorch de PyPI pour cette plateforme</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="83"/>
        <source>the Python QGIS runs</source>
        <translation>le Python qu'exécute QGIS</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="86"/>
        <source>QGIS&apos;s Python</source>
        <translation>le Python de QGIS</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="89"/>
        <source>QGIS&apos;s Python prefix</source>
        <translation>le préfixe Python de QGIS</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="92"/>
        <source>QGIS&apos;s install folder</source>
        <translation>le dossier d'installation de QGIS</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="94"/>
        <source>the system&apos;s Python</source>
        <translation>le Python du système</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="97"/>
        <source>the Python on the PATH</source>
        <translation>le Python du PATH</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="115"/>
        <source>&apos;{path}&apos; cannot create virtual environments (on Debian and Ubuntu install the python3-venv package).</source>
        <translation>« {path} » ne peut pas créer d'environnements virtuels (sous Debian et Ubuntu, installez le paquet python3-venv).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="119"/>
        <source>&apos;{path}&apos; is not a working Python interpreter.</source>
        <translation>« {path} » n'est pas un interpréteur Python qui fonctionne.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="122"/>
        <source>&apos;{path}&apos; is Python {version}; the model needs Python {minimum} or newer.</source>
        <translation>« {path} » est Python {version} ; le modèle nécessite Python {minimum} ou plus récent.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="134"/>
        <source>No Python {minimum} or newer that can create a virtual environment was found</source>
        <translation>Aucun Python {minimum} ou plus récent capable de créer un environnement virtuel n'a été trouvé</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="134"/>
        <source>; choose one with &quot;Use another Python&quot;.</source>
        <translation> ; choisissez-en un avec « Utiliser un autre Python ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="51"/>
        <source>GPUs: {devices}</source>
        <translation>GPU : {devices}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="51"/>
        <source>no GPU</source>
        <translation>pas de GPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="105"/>
        <source>The model&apos;s Python environment ({python}) is broken: the package &apos;{module}&apos; cannot be imported.</source>
        <translation>L'environnement Python du modèle ({python}) est endommagé : le paquet « {module} » ne peut pas être importé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="138"/>
        <source>The model&apos;s server started but could not load the model: {message}</source>
        <translation>Le serveur du modèle a démarré mais n'a pas pu charger le modèle : {message}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="143"/>
        <source>The model&apos;s server stopped before answering ({last}).</source>
        <translation>Le serveur du modèle s'est arrêté avant de répondre ({last}).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="143"/>
        <source>no message</source>
        <translation>aucun message</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="184"/>
        <source>Looking for a Python to build from...</source>
        <translation>Recherche d'un Python à partir duquel construire...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/base_python.py" line="258"/>
        <source>&apos;{path}&apos; did not answer within {seconds} s.</source>
        <translation>« {path} » n'a pas répondu en {seconds} s.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="259"/>
        <source>&apos;{path}&apos; could not be started as a Python interpreter.</source>
        <translation>« {path} » n'a pas pu être démarré comme interpréteur Python.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_check.py" line="269"/>
        <source>The model&apos;s server with {python} did not answer within {seconds} s.</source>
        <translation>Le serveur du modèle avec {python} n'a pas répondu en {seconds} s.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="207"/>
        <source>Creating the Python environment with {python}...</source>
        <translation>Création de l'environnement Python avec {python}...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="222"/>
        <source>Downloading and installing the model&apos;s packages (about {size} GB)...</source>
        <translation>Téléchargement et installation des paquets du modèle (environ {size} Go)...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="294"/>
        <source>The installation was cancelled; the previous environment is unchanged.</source>
        <translation>L'installation a été annulée ; l'environnement précédent est inchangé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="358"/>
        <source>Creating the model&apos;s environment failed (exit code {code}); the previous environment is unchanged. pip&apos;s output is in {log}.</source>
        <translation>La création de l'environnement du modèle a échoué (code de sortie {code}) ; l'environnement précédent est inchangé. La sortie de pip se trouve dans {log}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="373"/>
        <source>{program} could not be started; the previous environment is unchanged.</source>
        <translation>{program} n'a pas pu être démarré ; l'environnement précédent est inchangé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="380"/>
        <source>Checking the environment by starting the model&apos;s server...</source>
        <translation>Vérification de l'environnement en démarrant le serveur du modèle...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="389"/>
        <source>The new environment does not work ({problem}); the previous one is unchanged.</source>
        <translation>Le nouvel environnement ne fonctionne pas ({problem}) ; le précédent est inchangé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="398"/>
        <source>The new environment could not replace the old one ({error}).</source>
        <translation>Le nouvel environnement n'a pas pu remplacer l'ancien ({error}).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="404"/>
        <source>The model&apos;s Python environment is ready ({summary}); it took {minutes} min.</source>
        <translation>L'environnement Python du modèle est prêt ({summary}) ; cela a pris {minutes} min.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="214"/>
        <source>It was trained on generated scenes only: check its captions and polygons before trusting them on real imagery.</source>
        <translation>Il a été entraîné uniquement sur des scènes générées : vérifiez ses légendes et ses polygones avant de vous y fier sur des images réelles.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="219"/>
        <source>The model is not loaded: {reason}</source>
        <translation>Le modèle n'est pas chargé : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="177"/>
        <source>CLV-Net&apos;s model needs its own Python environment: set it up from the dialog; QGIS works as before.</source>
        <translation>Le modèle de CLV-Net a besoin de son propre environnement Python : configurez-le depuis la boîte de dialogue ; QGIS fonctionne comme avant.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="97"/>
        <source>Objects whose score is lower are not added to the layers</source>
        <translation>Les objets dont le score est inférieur ne sont pas ajoutés aux couches</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="117"/>
        <source>the environment CLV-Net manages</source>
        <translation>l'environnement géré par CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="118"/>
        <source>A Python interpreter with the model&apos;s packages (a conda environment, a venv); the environment variable {variable} overrides it.</source>
        <translation>Un interpréteur Python disposant des paquets du modèle (un environnement conda, un venv) ; la variable d'environnement {variable} a priorité.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="124"/>
        <source>Check</source>
        <translation>Vérifier</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="135"/>
        <source>{variable}={python} overrides this setting.</source>
        <translation>{variable}={python} a priorité sur ce paramètre.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="164"/>
        <source>Minimum object score</source>
        <translation>Score minimal des objets</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="195"/>
        <source>The model uses the environment CLV-Net manages.</source>
        <translation>Le modèle utilise l'environnement géré par CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="224"/>
        <source>The model&apos;s server answered: {summary}.</source>
        <translation>Le serveur du modèle a répondu : {summary}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="81"/>
        <source>The model process stopped unexpectedly ({how}); it will be restarted for the next box.</source>
        <translation>Le processus du modèle s'est arrêté de façon inattendue ({how}) ; il sera relancé pour la prochaine emprise.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="175"/>
        <source>CLV-Net failed: {error} Details are in the QGIS log.</source>
        <translation>Échec de CLV-Net : {error} Les détails sont dans le journal de QGIS.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="115"/>
        <source>Minimum object score (objects scoring lower are left out)</source>
        <translation>Score minimal des objets (les objets de score inférieur sont écartés)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="211"/>
        <source>The model process stopped unexpectedly ({0}) after {1} boxes; run the algorithm again.</source>
        <translation>Le processus du modèle s'est arrêté de façon inattendue ({0}) après {1} emprises ; relancez l'algorithme.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="242"/>
        <source>{0} objects scored below the minimum score {1:.2f} and were left out.</source>
        <translation>{0} objets ont un score inférieur au score minimal {1:.2f} et ont été écartés.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="310"/>
        <source>{layer} ({algorithm})</source>
        <translation>{layer} ({algorithm})</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="358"/>
        <source>Model {0} ({1}) on {2}, in the model process {3}.</source>
        <translation>Modèle {0} ({1}) sur {2}, dans le processus du modèle {3}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="65"/>
        <source>Prepare training data from a labelled layer</source>
        <translation>Préparer les données d’entraînement à partir d’une couche étiquetée</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="68"/>
        <source>clvnet,training,records,labels,captions,fine-tune</source>
        <translation>clvnet,entraînement,enregistrements,étiquettes,légendes,affinage</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="71"/>
        <source>Turns a polygon layer of labelled objects (building footprints, fields, tree crowns...) over a raster into training records for &quot;Fine-tune the model&quot;: for windows of the raster it writes grounded captions of the labelled objects (their class, count, size, colour and relations), the windows as images, a few previews and a summary of images, objects per class and skipped labels.

Class field: the field holding each object&apos;s class; its values become the nouns of the captions. Extent: only windows inside it (empty: the whole raster). The raster must be a file (GeoTIFF or any file GDAL reads) with a CRS; the labels may be in any CRS. Runs in the model&apos;s own Python, with the training package.</source>
        <translation>Transforme une couche de polygones d’objets étiquetés (emprises de bâtiments, parcelles, houppiers…) sur un raster en enregistrements d’entraînement pour « Affiner le modèle » : pour des fenêtres du raster, il écrit des légendes ancrées des objets étiquetés (leur classe, leur nombre, leur taille, leur couleur et leurs relations), les fenêtres en images, quelques aperçus et un résumé des images, des objets par classe et des étiquettes ignorées.

Champ de classe : le champ qui contient la classe de chaque objet ; ses valeurs deviennent les noms des légendes. Emprise : seulement les fenêtres qui s’y trouvent (vide : tout le raster). Le raster doit être un fichier (GeoTIFF ou tout fichier lu par GDAL) avec un SCR ; les étiquettes peuvent être dans n’importe quel SCR. S’exécute dans le Python propre au modèle, avec le paquet d’entraînement.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="85"/>
        <source>Labelled polygons</source>
        <translation>Polygones étiquetés</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="90"/>
        <source>Class field</source>
        <translation>Champ de classe</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="95"/>
        <source>Extent (empty: all)</source>
        <translation>Emprise (vide : tout)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="98"/>
        <source>Training records folder</source>
        <translation>Dossier des enregistrements d’entraînement</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Images (raster windows) written</source>
        <translation>Images (fenêtres du raster) écrites</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Records written</source>
        <translation>Enregistrements écrits</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="101"/>
        <source>Labels or windows skipped</source>
        <translation>Étiquettes ou fenêtres ignorées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="120"/>
        <source>The raster layer &apos;{0}&apos; is not a file GDAL reads: export it to a GeoTIFF first (Raster &gt; Conversion &gt; Translate).</source>
        <translation>La couche raster « {0} » n’est pas un fichier lu par GDAL : exportez-la d’abord en GeoTIFF (Raster &gt; Conversion &gt; Traduire).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="127"/>
        <source>The raster layer &apos;{0}&apos; has no CRS: labels cannot be placed on it.</source>
        <translation>La couche raster « {0} » n’a pas de SCR : les étiquettes ne peuvent pas y être placées.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="147"/>
        <source>The label layer has no field named &apos;{0}&apos;.</source>
        <translation>La couche d’étiquettes n’a pas de champ nommé « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="157"/>
        <source>The label layer has no polygons to learn from.</source>
        <translation>La couche d’étiquettes n’a aucun polygone dont apprendre.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="158"/>
        <source>{0} labelled polygons exported.</source>
        <translation>{0} polygones étiquetés exportés.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="171"/>
        <source>Preparing was cancelled; nothing was written to &apos;{0}&apos;.</source>
        <translation>La préparation a été annulée ; rien n’a été écrit dans « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="171"/>
        <source>Preparing the records failed: {0}</source>
        <translation>La préparation des enregistrements a échoué : {0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="207"/>
        <source>The labels cannot be exported: {0}</source>
        <translation>Les étiquettes ne peuvent pas être exportées : {0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prepare_data.py" line="231"/>
        <source>Records and previews written to {0}.</source>
        <translation>Enregistrements et aperçus écrits dans {0}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="76"/>
        <source>Fine-tune the model on training records</source>
        <translation>Affiner le modèle sur des enregistrements d’entraînement</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="79"/>
        <source>clvnet,training,fine-tune,fine tuning,checkpoint,deep learning</source>
        <translation>clvnet,entraînement,affinage,réglage fin,point de contrôle,apprentissage profond</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="82"/>
        <source>Fine-tunes a CLV-Net checkpoint on record folders written by &quot;Prepare training data&quot; (or python -m training.prepare), mixed with synthetic scenes so the model keeps what it knew. Training runs in the model&apos;s own Python, never inside QGIS; progress and losses appear in the log, and Cancel stops it without leaving a half-written folder.

Record folders: one per line. Base checkpoint: empty for the bundled model. Steps: optimiser steps of one batch each; on a CPU a step of 4 takes a few seconds. Synthetic share: the fraction of each batch drawn from synthetic scenes (0: records only). The output folder is a checkpoint with its model card: choose it as the checkpoint in Settings or in the other algorithms.</source>
        <translation>Affine un point de contrôle CLV-Net sur des dossiers d’enregistrements écrits par « Préparer les données d’entraînement » (ou python -m training.prepare), mélangés à des scènes synthétiques pour que le modèle garde ce qu’il savait. L’entraînement s’exécute dans le Python propre au modèle, jamais dans QGIS ; la progression et les pertes s’affichent dans le journal, et Annuler l’arrête sans laisser de dossier à moitié écrit.

Dossiers d’enregistrements : un par ligne. Point de contrôle de départ : vide pour le modèle fourni. Étapes : étapes d’optimisation d’un lot chacune ; sur un CPU, une étape de 4 prend quelques secondes. Part synthétique : la fraction de chaque lot tirée de scènes synthétiques (0 : enregistrements seulement). Le dossier de sortie est un point de contrôle avec sa fiche de modèle : choisissez-le comme point de contrôle dans les Paramètres ou dans les autres algorithmes.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="96"/>
        <source>Record folders (one per line)</source>
        <translation>Dossiers d’enregistrements (un par ligne)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="101"/>
        <source>Base checkpoint folder (empty: the bundled model)</source>
        <translation>Dossier du point de contrôle de départ (vide : le modèle fourni)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="104"/>
        <source>Training steps</source>
        <translation>Étapes d’entraînement</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="111"/>
        <source>Batch size</source>
        <translation>Taille de lot</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="114"/>
        <source>Learning rate</source>
        <translation>Taux d’apprentissage</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="122"/>
        <source>Share of synthetic scenes in the mix</source>
        <translation>Part des scènes synthétiques dans le mélange</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="134"/>
        <source>Fine-tuned checkpoint folder</source>
        <translation>Dossier du point de contrôle affiné</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="137"/>
        <source>Steps trained</source>
        <translation>Étapes entraînées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="138"/>
        <source>Loss at the last step</source>
        <translation>Perte à la dernière étape</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="180"/>
        <source>No record folder was given.</source>
        <translation>Aucun dossier d’enregistrements n’a été donné.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="184"/>
        <source>&apos;{0}&apos; is not a folder of training records (JSON files): make one with &quot;Prepare training data&quot;.</source>
        <translation>« {0} » n’est pas un dossier d’enregistrements d’entraînement (fichiers JSON) : créez-en un avec « Préparer les données d’entraînement ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="196"/>
        <source>&apos;{0}&apos; is not a CLV-Net checkpoint folder (config.json, model.safetensors).</source>
        <translation>« {0} » n’est pas un dossier de point de contrôle CLV-Net (config.json, model.safetensors).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="223"/>
        <source>Step {0}/{1}: {2}</source>
        <translation>Étape {0}/{1} : {2}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="227"/>
        <source>Training was cancelled; nothing was written to &apos;{0}&apos;.</source>
        <translation>L’entraînement a été annulé ; rien n’a été écrit dans « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="227"/>
        <source>Training failed: {0}</source>
        <translation>L’entraînement a échoué : {0}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="240"/>
        <source>Fine-tuned checkpoint written to {0}.</source>
        <translation>Point de contrôle affiné écrit dans {0}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="129"/>
        <source>The Python for the model &apos;{0}&apos; cannot be started: {1}</source>
        <translation>Le Python du modèle « {0} » ne peut pas être démarré : {1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="68"/>
        <source>The Python for the model (&apos;{0}&apos;) has no CLV-Net training package (training.{1}): install it there with &quot;{0} -m pip install &lt;CLV-Net source folder&gt;&quot; and run this algorithm again.</source>
        <translation>Le Python du modèle (« {0} ») n’a pas le paquet d’entraînement CLV-Net (training.{1}) : installez-le avec « {0} -m pip install &lt;dossier des sources de CLV-Net&gt; » et relancez cet algorithme.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="80"/>
        <source>The output folder &apos;{0}&apos; is not empty: choose a new or empty folder.</source>
        <translation>Le dossier de sortie « {0} » n’est pas vide : choisissez un dossier nouveau ou vide.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="171"/>
        <source>no output</source>
        <translation>aucune sortie</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/training_process.py" line="172"/>
        <source>{0} stopped with exit code {1}: {2}</source>
        <translation>{0} s’est arrêté avec le code de sortie {1} : {2}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="242"/>
        <source>{n} objects scored below the minimum score {score:.2f} and were left out (Settings).</source>
        <translation>{n} objets ont un score inférieur au score minimal {score:.2f} et ont été écartés (Paramètres).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="325"/>
        <source>Loading the checkpoint {name} to check it before it is saved...</source>
        <translation>Chargement du point de contrôle {name} pour le vérifier avant de l'enregistrer...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="353"/>
        <source>The checkpoint {name} loaded and is saved in the settings.</source>
        <translation>Le point de contrôle {name} s'est chargé et est enregistré dans les paramètres.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="360"/>
        <source>The checkpoint {name} did not load, so the settings keep {kept}.</source>
        <translation>Le point de contrôle {name} ne s'est pas chargé ; les paramètres conservent {kept}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="144"/>
        <source>PyTorch&apos;s CPU index could not be reached, so PyPI&apos;s build is used</source>
        <translation>l'index CPU de PyTorch est injoignable, la version de PyPI est donc utilisée</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="216"/>
        <source>Checking that {index} can be reached...</source>
        <translation>Vérification que {index} est joignable...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="126"/>
        <source>Environment...</source>
        <translation>Environnement...</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="127"/>
        <source>Check, create or repair the Python environment CLV-Net manages for the model</source>
        <translation>Vérifier, créer ou réparer l'environnement Python que CLV-Net gère pour le modèle</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="233"/>
        <source>If that index cannot be reached, PyPI&apos;s larger build is installed instead: about {download} GB to download and {disk} GB on disk.</source>
        <translation>Si cet index est injoignable, la version plus lourde de PyPI est installée à la place : environ {download} Go à télécharger et {disk} Go sur le disque.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="242"/>
        <source>1 object scored below the minimum score {score:.2f} and was left out (Settings).</source>
        <translation>1 objet a un score inférieur au score minimal {score:.2f} et a été écarté (Paramètres).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="242"/>
        <source>1 object scored below the minimum score {1:.2f} and was left out.</source>
        <translation>1 objet a un score inférieur au score minimal {1:.2f} et a été écarté.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="211"/>
        <source>The model process stopped unexpectedly ({0}) after 1 box; run the algorithm again.</source>
        <translation>Le processus du modèle s'est arrêté de façon inattendue ({0}) après 1 emprise ; relancez l'algorithme.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="234"/>
        <source>1 box described</source>
        <translation>1 boîte décrite</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="234"/>
        <source>{0} boxes described</source>
        <translation>{0} boîtes décrites</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="235"/>
        <source>1 object found</source>
        <translation>1 objet trouvé</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="235"/>
        <source>{0} objects found</source>
        <translation>{0} objets trouvés</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="236"/>
        <source>{0}, {1} skipped, {2}.</source>
        <translation>{0}, {1} ignorée(s), {2}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="249"/>
        <source>The box could not be described on the raster layer &apos;{1}&apos;; check that it overlaps it (and the box layer&apos;s CRS).</source>
        <translation>La boîte n’a pas pu être décrite sur la couche raster « {1} » ; vérifiez qu'elle la recouvre (et le SCR de la couche de boîtes).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="171"/>
        <source>1 step</source>
        <translation>1 étape</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="171"/>
        <source>{0} steps</source>
        <translation>{0} étapes</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="172"/>
        <source>1 record folder</source>
        <translation>1 dossier d’enregistrements</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="172"/>
        <source>{0} record folders</source>
        <translation>{0} dossiers d’enregistrements</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/train_model.py" line="173"/>
        <source>Fine-tuning {0} for {1} on {2}, synthetic share {3}.</source>
        <translation>Affinage de {0} pendant {1} sur {2}, part synthétique {3}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="264"/>
        <source>The model&apos;s environment needs about {disk} GB free in {folder}, but only {free} GB is free; free some space and try again (the previous environment is unchanged).</source>
        <translation>L’environnement du modèle demande environ {disk} Go libres dans {folder}, mais seulement {free} Go sont libres ; libérez de la place et réessayez (l’environnement précédent est inchangé).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/env_builder.py" line="349"/>
        <source>Creating the model&apos;s environment failed because the disk is full (it needs about {disk} GB free in {folder}); the previous environment is unchanged. pip&apos;s output is in {log}.</source>
        <translation>La création de l’environnement du modèle a échoué car le disque est plein (il faut environ {disk} Go libres dans {folder}) ; l’environnement précédent est inchangé. La sortie de pip est dans {log}.</translation>
    </message>
</context>
</TS>
